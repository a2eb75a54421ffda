import type { AcceptInviteBody, LoginBody } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, type InputHTMLAttributes, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { Button, Notice } from '../ui/light.tsx';
import { acceptInvitation, getPublicMeta } from './auth.api.ts';
import { useSession } from './session.tsx';

const FIELDS = ['org', 'login', 'password'] as const satisfies readonly (keyof LoginBody)[];
type Problems<Field extends string> = Partial<Record<Field, string>>;

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

/**
 * Signing in, and an invitee choosing a password. Drawn with the light kit and the browser's own form, not antd:
 * it is a new visitor's first screen on a phone (docs/performance.md).
 */
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
  return (
    <div style={{ minHeight: '100dvh', display: 'flex', flexDirection: 'column', background: 'var(--l-bg-layout)' }}>
      <div style={{ display: 'flex', justifyContent: 'flex-end', padding: 12 }}>
        <LanguageSwitch />
      </div>
      <main style={{ flex: 1, display: 'flex', justifyContent: 'center', alignItems: 'flex-start', padding: '24px 16px' }}>
        <div className="l-card l-card--large" style={{ width: '100%', maxWidth: 400 }}>
          <h1 className="l-title" style={{ fontSize: 24, marginBottom: 4 }}>
            {t('app.name')}
          </h1>
          <p className="l-secondary" style={{ marginTop: 0 }}>
            {t('app.tagline')}
          </p>
          {children}
        </div>
      </main>
    </div>
  );
}

/** A labelled input with its problem under it (tied to it by aria-describedby, marked aria-invalid). */
function Field({ id, label, problem, ...input }: { id: string; label: string; problem: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const problemId = useId();
  return (
    <div className="l-field" style={{ marginBottom: 16 }}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={id} className="l-input l-input--large" aria-invalid={problem ? true : undefined} aria-describedby={problem ? problemId : undefined} {...input} />
      {problem ? (
        <div id={problemId} className="l-field-error">
          {problem}
        </div>
      ) : null}
    </div>
  );
}

/** The API's validation problems about these fields (paths like "body.org"), by field. */
function problemsOf<Field extends string>(error: unknown, fields: readonly Field[]): Problems<Field> {
  if (!(error instanceof ApiError)) return {};
  const problems: Problems<Field> = {};
  for (const { path, message } of error.errors) {
    const field = fields.find((name) => path === `body.${name}`);
    if (field && !problems[field]) problems[field] = message;
  }
  return problems;
}

/** The invitee's side of an invitation: choose a password, and be signed in. */
function SetPasswordForm({ token, onGiveUp }: { token: string; onGiveUp: () => void }) {
  const { t } = useTranslation();
  const { recheck } = useSession();
  const [values, setValues] = useState({ password: '', confirm: '' });
  const [problems, setProblems] = useState<Problems<'password' | 'confirm'>>({});
  const accept = useMutation({
    mutationFn: (body: AcceptInviteBody) => acceptInvitation(body),
    onSuccess: () => {
      forgetInviteToken();
      recheck();
    },
    onError: (error) => setProblems(problemsOf(error, ['password'])),
  });
  const reason = accept.error instanceof ApiError ? accept.error.details.reason : undefined;
  const linkDead = reason === 'INVITE_INVALID' || reason === 'INVITE_EXPIRED' || (accept.error instanceof ApiError && accept.error.errors.some((e) => e.path === 'body.token'));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Problems<'password' | 'confirm'> = {};
    if (values.password.length < 8) found.password = t('invite.passwordTooShort');
    if (!values.confirm || values.confirm !== values.password) found.confirm = t('invite.passwordsDiffer');
    setProblems(found);
    if (!found.password && !found.confirm) accept.mutate({ token, password: values.password });
  };

  return (
    <>
      <h2 className="l-subtitle">{t('invite.setPasswordTitle')}</h2>
      <p>{t('invite.setPasswordHint')}</p>
      {accept.error ? (
        <div style={{ marginBottom: 16 }}>
          <Notice
            kind="error"
            title={t('invite.failed')}
            description={reason === 'INVITE_EXPIRED' ? t('invite.INVITE_EXPIRED') : linkDead ? t('invite.INVITE_INVALID') : describeError(accept.error)}
          />
        </div>
      ) : null}
      <form noValidate onSubmit={submit}>
        <Field
          id="password"
          type="password"
          label={t('invite.newPassword')}
          autoComplete="new-password"
          autoFocus
          value={values.password}
          onChange={(event) => {
            const password = event.target.value;
            setValues((now) => ({ ...now, password }));
          }}
          problem={problems.password}
        />
        <Field
          id="confirm"
          type="password"
          label={t('invite.confirmPassword')}
          autoComplete="new-password"
          value={values.confirm}
          onChange={(event) => {
            const confirm = event.target.value;
            setValues((now) => ({ ...now, confirm }));
          }}
          problem={problems.confirm}
        />
        <Button type="submit" variant="primary" size="large" block loading={accept.isPending}>
          {t('invite.setPassword')}
        </Button>
      </form>
      {linkDead ? (
        <Button variant="link" block onClick={onGiveUp} style={{ marginTop: 12 }}>
          {t('invite.toSignIn')}
        </Button>
      ) : null}
    </>
  );
}

function SignInForm({ sessionEnded }: { sessionEnded: boolean }) {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const [values, setValues] = useState<LoginBody>({ org: '', login: '', password: '' });
  const [problems, setProblems] = useState<Problems<keyof LoginBody>>({});
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  // With one operator on the installation (or DEFAULT_ORG_SLUG set) nobody should have to know its code.
  useEffect(() => {
    const controller = new AbortController();
    getPublicMeta(controller.signal).then(
      (meta) => {
        const slug = meta.defaultOrgSlug;
        if (slug) setValues((now) => (now.org ? now : { ...now, org: slug }));
      },
      () => {
        // Not fatal: the field stays empty and submitting will say what is wrong.
      },
    );
    return () => controller.abort();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Problems<keyof LoginBody> = {};
    if (!values.org.trim()) found.org = t('signIn.orgRequired');
    if (!values.login.trim()) found.login = t('signIn.loginRequired');
    if (!values.password) found.password = t('signIn.passwordRequired');
    setProblems(found);
    if (Object.keys(found).length) return;
    setSubmitting(true);
    setFailure(null);
    try {
      await signIn(values);
    } catch (error) {
      setFailure(error);
      // Validation problems name the field (e.g. "body.org"); show them next to it.
      setProblems(problemsOf(error, FIELDS));
      setSubmitting(false);
    }
  };
  const field = (name: keyof LoginBody) => ({
    value: values[name],
    // Functional: the organization code may arrive from /meta between two keystrokes, and must not be lost.
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
      const value = event.target.value;
      setValues((now) => ({ ...now, [name]: value }));
    },
    problem: problems[name],
  });

  return (
    <>
      <h2 className="l-subtitle">{t('signIn.title')}</h2>
      {sessionEnded && !failure ? (
        <div style={{ marginBottom: 16 }}>
          <Notice kind="info" title={t('signIn.sessionEnded')} />
        </div>
      ) : null}
      {failure ? (
        <div style={{ marginBottom: 16 }}>
          <Notice kind="error" title={t('signIn.failed')} description={describeError(failure)} />
        </div>
      ) : null}
      <form noValidate onSubmit={(event) => void submit(event)}>
        <Field id="org" label={t('signIn.org')} autoComplete="organization" autoCapitalize="none" spellCheck={false} {...field('org')} />
        <Field id="login" label={t('signIn.login')} autoComplete="username" autoCapitalize="none" spellCheck={false} autoFocus {...field('login')} />
        <Field id="password" type="password" label={t('signIn.password')} autoComplete="current-password" {...field('password')} />
        <Button type="submit" variant="primary" size="large" block loading={submitting}>
          {t('signIn.submit')}
        </Button>
      </form>
    </>
  );
}
