/** Injection token of `SessionTokens`' options (TenancyModule derives them from its own options). */
export const SESSION_TOKENS_OPTIONS = Symbol('SESSION_TOKENS_OPTIONS');
