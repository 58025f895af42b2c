import { SetMetadata } from '@nestjs/common';

export const NO_ENVELOPE = 'http:no-envelope';

/** Controllers whose results are sent as they are, without `{data: …}` (the health probes). */
export const NoEnvelope = (): ClassDecorator & MethodDecorator => SetMetadata(NO_ENVELOPE, true);
