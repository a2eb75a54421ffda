import type { LoginBody } from '@linli/contracts';
import { Alert, Button, Card, Flex, Form, Input, Typography, theme } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { getPublicMeta } from './auth.api.ts';
import { useSession } from './session.tsx';

const FIELDS = ['org', 'login', 'password'] as const satisfies readonly (keyof LoginBody)[];

export default function SignInPage({ sessionEnded }: { sessionEnded: boolean }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const { signIn } = useSession();
  const [form] = Form.useForm<LoginBody>();
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  // With one operator on the installation (or DEFAULT_ORG_SLUG set) nobody should have to know its code.
  useEffect(() => {
    const controller = new AbortController();
    getPublicMeta(controller.signal).then(
      (meta) => {
        if (meta.defaultOrgSlug && !form.getFieldValue('org')) form.setFieldValue('org', meta.defaultOrgSlug);
      },
      () => {
        // Not fatal: the field stays empty and submitting will say what is wrong.
      },
    );
    return () => controller.abort();
  }, [form]);

  const submit = async (body: LoginBody) => {
    setSubmitting(true);
    setFailure(null);
    try {
      await signIn(body);
    } catch (error) {
      setFailure(error);
      // Validation problems name the field (e.g. "body.org"); show them next to it.
      if (error instanceof ApiError) {
        form.setFields(
          error.errors.flatMap(({ path, message }) => {
            const name = FIELDS.find((field) => path === `body.${field}`);
            return name ? [{ name, errors: [message] }] : [];
          }),
        );
      }
      setSubmitting(false);
    }
  };

  return (
    <Flex vertical style={{ minHeight: '100dvh', background: token.colorBgLayout }}>
      <Flex justify="flex-end" style={{ padding: token.paddingSM }}>
        <LanguageSwitch />
      </Flex>
      <Flex component="main" flex={1} justify="center" align="flex-start" style={{ padding: `${token.paddingLG}px ${token.padding}px` }}>
        <Card style={{ width: '100%', maxWidth: 400 }}>
          <Typography.Title level={1} style={{ fontSize: token.fontSizeHeading3, marginBottom: token.marginXXS }}>
            {t('app.name')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('app.tagline')}</Typography.Paragraph>
          <Typography.Title level={2} style={{ fontSize: token.fontSizeHeading5, marginTop: 0 }}>
            {t('signIn.title')}
          </Typography.Title>

          {sessionEnded && !failure ? (
            <Alert type="info" showIcon title={t('signIn.sessionEnded')} style={{ marginBottom: token.marginMD }} />
          ) : null}
          {failure ? (
            <Alert
              type="error"
              showIcon
              title={t('signIn.failed')}
              description={describeError(failure)}
              style={{ marginBottom: token.marginMD }}
            />
          ) : null}

          <Form<LoginBody>
            form={form}
            layout="vertical"
            requiredMark={false}
            size="large"
            onFinish={submit}
          >
            <Form.Item name="org" label={t('signIn.org')} rules={[{ required: true, whitespace: true, message: t('signIn.orgRequired') }]}>
              <Input autoComplete="organization" autoCapitalize="none" spellCheck={false} />
            </Form.Item>
            <Form.Item
              name="login"
              label={t('signIn.login')}
              rules={[{ required: true, whitespace: true, message: t('signIn.loginRequired') }]}
            >
              <Input autoComplete="username" autoCapitalize="none" spellCheck={false} autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true, message: t('signIn.passwordRequired') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t('signIn.submit')}
            </Button>
          </Form>
        </Card>
      </Flex>
    </Flex>
  );
}
