import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:isPublic';

/** Marks a controller or route as open to visitors who are not signed in. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
