import { useMutation } from '@tanstack/react-query';
import { App, Button, Flex, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';

interface CancelWithReasonProps {
  label: string;
  confirmText: string;
  done: string;
  size?: 'small' | 'middle';
  onCancel: (reason: string) => Promise<unknown>;
  onDone: () => void;
}

/** A danger button that asks for a reason and a confirmation before cancelling. */
export function CancelWithReason({ label, confirmText, done, size, onCancel, onDone }: CancelWithReasonProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const cancel = useMutation({
    mutationFn: onCancel,
    onSuccess: () => {
      setOpen(false);
      void message.success(done);
      onDone();
    },
  });

  return (
    <>
      <Button danger size={size} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal
        open={open}
        title={label}
        okText={label}
        okButtonProps={{ danger: true, loading: cancel.isPending }}
        cancelText={t('programme.drawer.keep')}
        onOk={() => cancel.mutate(reason.trim())}
        onCancel={() => {
          setOpen(false);
          cancel.reset();
        }}
      >
        <Flex vertical gap="small">
          <Typography.Text>{confirmText}</Typography.Text>
          <Input.TextArea aria-label={t('programme.drawer.reason')} placeholder={t('programme.drawer.reason')} value={reason} maxLength={500} rows={3} onChange={(e) => setReason(e.target.value)} />
          {cancel.error ? (
            <Typography.Text type="danger" role="alert">
              {describeError(cancel.error)}
            </Typography.Text>
          ) : null}
        </Flex>
      </Modal>
    </>
  );
}
