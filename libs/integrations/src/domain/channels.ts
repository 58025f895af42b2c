export const CHANNELS = ['in_app', 'email', 'sms', 'chat', 'push'] as const;
export type ChannelType = (typeof CHANNELS)[number];

export const INTEGRATION_KINDS = ['delivery', 'agent'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** Channels whose integrations take part in primary/priority ordering. */
export const PRIMARY_CHANNELS: readonly ChannelType[] = ['email', 'sms'];
