import { App } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A form's save with the app's usual feedback: a busy flag for the button, the failure to show beside the form,
 * and "Saved." when it worked. `save` resolves to whether it worked.
 */
export function useSave() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  const save = async (action: () => Promise<unknown>): Promise<boolean> => {
    setSaving(true);
    setFailure(null);
    try {
      await action();
      void message.success(t('setup.saved'));
      return true;
    } catch (error) {
      setFailure(error);
      return false;
    } finally {
      setSaving(false);
    }
  };

  return { saving, failure, save };
}
