import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as bcrypt from 'bcryptjs';
import { DataSource, In } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { User } from '../users/user.entity';
import type { LoginResponseDto } from './auth.dto';
import { LoginLimiter } from './login-limiter';

// Compared against when the username is unknown, so that both failures take the same time.
const DUMMY_HASH = bcrypt.hashSync('timing-equaliser', 10);

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limiter: LoginLimiter,
  ) {}

  /**
   * Signs a user in from `address`. Throttled before the password is looked at (429 while the username
   * or the address is over its limit, even for the right password), with the same answers for unknown
   * and known usernames.
   */
  async login(username: string, password: string, address: string | undefined): Promise<LoginResponseDto> {
    await this.limiter.admit(username, address);
    const user = await this.findActive(username);
    const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
    // One answer for an unknown user and a wrong password, so usernames cannot be probed.
    if (!user || !ok) throw new UnauthorizedException('wrong username or password');
    await this.limiter.succeeded(username);
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role, unitId: user.unitId });
    return { accessToken, expiresIn: this.config.jwt.ttlSeconds };
  }

  /**
   * Usernames made through `POST /users` are lower case, so "Nguyen.Van.A" finds "nguyen.van.a"; an exact
   * match (e.g. a mixed-case ADMIN_USERNAME) comes first.
   */
  private async findActive(username: string): Promise<User | null> {
    const candidates = [...new Set([username, username.toLowerCase()])];
    const users = await this.dataSource
      .getRepository(User)
      .findBy({ username: In(candidates), active: true });
    return users.find((u) => u.username === username) ?? users[0] ?? null;
  }
}
