import { Body, Controller, Get, HttpCode, Ip, Post, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { globalActions } from '../domain/access-policy';
import { LoginDto, LoginResponseDto, MeDto } from './auth.dto';
import { AuthUser, type CurrentUser } from './current-user';
import { AuthService } from './auth.service';
import { RetryAfterInterceptor } from './login-limiter';
import { Public } from './public.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @UseInterceptors(RetryAfterInterceptor)
  @ApiOkResponse({
    type: LoginResponseDto,
    description:
      'A short-lived access token. There is no refresh token: when `expiresIn` runs out, calls answer ' +
      '401 "the bearer token is invalid or expired" and the user signs in again.',
  })
  @ApiUnauthorizedResponse({ description: 'wrong username or password (the same answer for both)' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many failed sign-ins for this username, or too many attempts from this address, within the ' +
      'window (LOGIN_MAX_FAILURES, LOGIN_MAX_ATTEMPTS_PER_ADDRESS, LOGIN_WINDOW_SECONDS); refused before ' +
      'the password is checked. `Retry-After` gives the seconds to wait.',
  })
  login(@Body() body: LoginDto, @Ip() address: string): Promise<LoginResponseDto> {
    return this.auth.login(body.username, body.password, address);
  }

  /** Who is signed in, and what the access policy lets their role do: the pages show only that. */
  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeDto })
  me(@AuthUser() user: CurrentUser): MeDto {
    return { ...user, can: globalActions(user) };
  }
}
