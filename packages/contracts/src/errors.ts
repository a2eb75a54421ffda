/**
 * Every error code the API can answer with, its HTTP status and its message in both UI languages. Clients
 * switch on `code`; the messages are for people.
 */
export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, en: 'The request is not valid.', zh: '请求内容无效。' },
  MALFORMED_JSON: { status: 400, en: 'The request body is not valid JSON.', zh: '请求体不是有效的 JSON。' },
  PAYLOAD_TOO_LARGE: { status: 413, en: 'The request body is too large.', zh: '请求体过大。' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, en: 'Send the body as application/json.', zh: '请以 application/json 发送请求体。' },
  UNAUTHENTICATED: { status: 401, en: 'Sign in to continue.', zh: '请先登录。' },
  INVALID_CREDENTIALS: { status: 401, en: 'Wrong login or password.', zh: '账号或密码错误。' },
  INVALID_REFRESH_TOKEN: { status: 401, en: 'Your session has ended; sign in again.', zh: '会话已失效，请重新登录。' },
  FORBIDDEN: { status: 403, en: 'Your role may not do this.', zh: '您的角色无权执行此操作。' },
  NOT_FOUND: { status: 404, en: 'Not found.', zh: '未找到。' },
  ROUTE_NOT_FOUND: { status: 404, en: 'No such endpoint.', zh: '接口不存在。' },
  CONFLICT: { status: 409, en: 'This conflicts with the current state.', zh: '与当前状态冲突。' },
  ALREADY_EXISTS: { status: 409, en: 'This already exists.', zh: '该记录已存在。' },
  ARCHIVED: { status: 409, en: 'This has been archived.', zh: '该记录已归档。' },
  RATE_LIMITED: { status: 429, en: 'Too many requests; try again shortly.', zh: '请求过于频繁，请稍后再试。' },
  SEED_REFUSED: { status: 409, en: 'The database already has data.', zh: '数据库中已有数据。' },
  NOT_READY: { status: 503, en: 'The service is not ready.', zh: '服务尚未就绪。' },
  INTERNAL: { status: 500, en: 'Something went wrong on our side.', zh: '服务器内部错误。' },
} as const satisfies Record<string, { status: number; en: string; zh: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
