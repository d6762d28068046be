/**
 * The names of the form fields the interaction adds to the request's own fields. Prefixed, so they
 * never collide with an OAuth parameter; the authorization endpoint ignores them when it parses the
 * request (RFC 6749 §3.1: unrecognized parameters are ignored).
 */
export const INTERACTION_FIELDS = {
  /** `login` or `consent`: which form was submitted. */
  step: 'oauth2_step',
  /** The CSRF token (double-submitted with the cookie). */
  csrf: 'oauth2_csrf',
  /** The signed login ticket, from the sign-in to the consent step. */
  ticket: 'oauth2_ticket',
  /** `allow` or `deny`, on the consent page. */
  decision: 'oauth2_decision',
} as const
