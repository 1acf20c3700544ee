import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';
/** Marks a route that answers without a bearer token (login, health). Everything else is closed. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
