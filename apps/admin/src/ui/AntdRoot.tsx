import { App as AntApp, ConfigProvider, type ThemeConfig } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * antd's theme and locale, and its App (messages and confirm dialogs that follow both), around whatever uses antd.
 * It is loaded with the first thing that needs it, not at boot: a resident's first screen (sign-in, booking) is
 * built without antd so that a phone downloads at most 200 KB of script before it can book (docs/performance.md).
 */
export default function AntdRoot({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'zh-CN' ? zhCN : enUS} theme={THEME}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

const THEME: ThemeConfig = {
  token: {
    // A deep teal keeps white button text above 4.5:1 contrast; antd's palette for so dark a seed turns its
    // light tints grey, so the tints (selected menu item, hover, outlines) are given here.
    colorPrimary: '#0f766e',
    colorPrimaryBg: '#e6f4f1',
    colorPrimaryBgHover: '#cdeae3',
    colorPrimaryBorder: '#9fd5c9',
    colorPrimaryBorderHover: '#6cbfae',
    borderRadius: 8,
    // Secondary text (Typography type="secondary", statistic titles, descriptions) is rgba(0,0,0,.45) by default:
    // 3.5:1 on white, below WCAG's 4.5:1. This grey keeps 5.7:1 on white and above 5:1 on antd's light fills.
    colorTextDescription: 'rgba(0, 0, 0, 0.6)',
    // Placeholders (rgba(0,0,0,.25) by default, 1.7:1) are often the only label a phone shows in a field.
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
    // Links (Typography.Link, link buttons) are colorInfo's #1677ff by default: 4.1:1 on white. Blue-7 keeps 6:1
    // on white and 5.4:1 on the selected calendar day's tint; hover and press go darker, never lighter.
    colorLink: '#0958d9',
    colorLinkHover: '#003eb3',
    colorLinkActive: '#002c8c',
    // Status text (Typography type="success" / "warning" / "danger", an Input or Select in that status) is antd's shade 6
    // (2-3.3:1 on white); shade 7 or 8 of the same hue reads at 5.1:1 or more on white and on its own light fill.
    colorSuccessText: '#237804',
    colorWarningText: '#ad4e00',
    colorErrorText: '#cf1322',
    // Danger buttons write in colorError itself (#ff4d4f by default, 3.3:1 on white), as do form errors' icons and
    // outlines: a darker red keeps danger buttons' text readable everywhere, dialogs rendered outside any page included.
    colorError: '#cf1322',
    // A coloured Tag writes its name in shade 7 of its palette on shade 1; for these palettes that is 2-3.4:1.
    // A darker shade (8, or 9 for the yellows, the lightest hues) keeps every status tag above 4.5:1. Each shade
    // has two names (green7 for styles, green-7 for the CSS variable they read): both are given, or the page keeps
    // antd's own colour.
    green7: '#237804',
    'green-7': '#237804',
    cyan7: '#006d75',
    'cyan-7': '#006d75',
    orange7: '#ad4e00',
    'orange-7': '#ad4e00',
    volcano7: '#ad2102',
    'volcano-7': '#ad2102',
    gold7: '#874d00',
    'gold-7': '#874d00',
    lime7: '#3f6600',
    'lime-7': '#3f6600',
    yellow7: '#876800',
    'yellow-7': '#876800',
  },
  components: {
    // The month calendar greys the days of the neighbouring months (colorTextDisabled, 1.7:1), yet they are real
    // days with sessions in them: they stay a lighter grey than the month's own days, but readable (5.7:1).
    Calendar: { colorTextDisabled: 'rgba(0, 0, 0, 0.6)' },
  },
};
