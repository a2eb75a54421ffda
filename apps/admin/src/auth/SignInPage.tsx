import type { AcceptInviteBody, LoginBody } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Input, Typography, theme } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { acceptInvitation, getPublicMeta } from './auth.api.ts';
import { useSession } from './session.tsx';

const FIELDS = ['org', 'login', 'password'] as const satisfies readonly (keyof LoginBody)[];

/** The token of an invitation link (`/?invite=<token>`), if the page was opened through one. */
function inviteTokenOfAddress(): string | null {
  return new URLSearchParams(window.location.search).get('invite');
}

/** Takes the token out of the address bar (and history) once it is used or given up on. */
function forgetInviteToken() {
  const url = new URL(window.location.href);
  url.searchParams.delete('invite');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

export default function SignInPage({ sessionEnded }: { sessionEnded: boolean }) {
  const [inviteToken, setInviteToken] = useState(inviteTokenOfAddress);
  if (inviteToken) {
    return (
      <SignInFrame>
        <SetPasswordForm
          token={inviteToken}
          onGiveUp={() => {
            forgetInviteToken();
            setInviteToken(null);
          }}
        />
      </SignInFrame>
    );
  }
  return (
    <SignInFrame>
      <SignInForm sessionEnded={sessionEnded} />
    </SignInFrame>
  );
}

/** The page around both forms: language switch, app name, one card. */
function SignInFrame({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
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
          {children}
        </Card>
      </Flex>
    </Flex>
  );
}

interface SetPasswordValues {
  password: string;
  confirm: string;
}

/** The invitee's side of an invitation: choose a password, and be signed in. */
function SetPasswordForm({ token, onGiveUp }: { token: string; onGiveUp: () => void }) {
  const { t } = useTranslation();
  const { token: design } = theme.useToken();
  const { recheck } = useSession();
  const [form] = Form.useForm<SetPasswordValues>();
  const accept = useMutation({
    mutationFn: (body: AcceptInviteBody) => acceptInvitation(body),
    onSuccess: () => {
      forgetInviteToken();
      recheck();
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        const passwordProblems = error.errors.filter((e) => e.path === 'body.password').map((e) => e.message);
        if (passwordProblems.length) form.setFields([{ name: 'password', errors: passwordProblems }]);
      }
    },
  });
  const reason = accept.error instanceof ApiError ? accept.error.details.reason : undefined;
  const linkDead = reason === 'INVITE_INVALID' || reason === 'INVITE_EXPIRED' || (accept.error instanceof ApiError && accept.error.errors.some((e) => e.path === 'body.token'));

  return (
    <>
      <Typography.Title level={2} style={{ fontSize: design.fontSizeHeading5, marginTop: 0 }}>
        {t('invite.setPasswordTitle')}
      </Typography.Title>
      <Typography.Paragraph>{t('invite.setPasswordHint')}</Typography.Paragraph>
      {accept.error ? (
        <Alert
          type="error"
          showIcon
          title={t('invite.failed')}
          description={reason === 'INVITE_EXPIRED' ? t('invite.INVITE_EXPIRED') : linkDead ? t('invite.INVITE_INVALID') : describeError(accept.error)}
          style={{ marginBottom: design.marginMD }}
        />
      ) : null}
      <Form<SetPasswordValues> form={form} layout="vertical" requiredMark={false} size="large" onFinish={(values) => accept.mutate({ token, password: values.password })}>
        <Form.Item name="password" label={t('invite.newPassword')} rules={[{ required: true, min: 8, message: t('invite.passwordTooShort') }]}>
          <Input.Password autoComplete="new-password" autoFocus />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('invite.confirmPassword')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('invite.passwordsDiffer') },
            ({ getFieldValue }) => ({ validator: (_, value?: string) => (!value || value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('invite.passwordsDiffer')))) }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={accept.isPending}>
          {t('invite.setPassword')}
        </Button>
      </Form>
      {linkDead ? (
        <Button type="link" block onClick={onGiveUp} style={{ marginTop: design.marginSM }}>
          {t('invite.toSignIn')}
        </Button>
      ) : null}
    </>
  );
}

function SignInForm({ sessionEnded }: { sessionEnded: boolean }) {
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
    <>
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
    </>
  );
}
