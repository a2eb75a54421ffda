/**
 * The layout of an antd Form inside a Modal or Drawer. On a phone (narrower than antd's `sm`, 576 px) a side label
 * column gets a third of ~340 px, and a Chinese label's narrowest width is one character, so labels broke one
 * character per line: there every label goes above its field. Wider screens keep what the dialog asks for.
 *
 *   <Form form={form} {...useDialogFormLayout({ layout: 'horizontal', labelCol: { flex: '8em' } })}>
 */
import { Grid, type FormProps } from 'antd';

export type DialogFormLayout = Pick<FormProps, 'layout' | 'labelCol' | 'wrapperCol' | 'labelWrap' | 'labelAlign'>;

const ON_A_PHONE: DialogFormLayout = { layout: 'vertical' };

export function useDialogFormLayout(wide: DialogFormLayout = { layout: 'vertical' }): DialogFormLayout {
  // Before the first measurement `sm` is undefined: treat it as wide, as antd's own grid does.
  const phone = Grid.useBreakpoint().sm === false;
  return phone ? ON_A_PHONE : wide;
}
