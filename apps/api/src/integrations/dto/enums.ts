import { InboxCount } from '@app/integrations';

/** Values of `configurations.inboxCount` (the domain exports only the type). */
export const INBOX_COUNTS: readonly InboxCount[] = ['none', 'unread', 'unseen'];
export type { InboxCount };
