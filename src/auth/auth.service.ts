import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as bcrypt from 'bcryptjs';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { User } from '../users/user.entity';
import type { LoginResponseDto } from './auth.dto';

// Compared against when the username is unknown, so that both failures take the same time.
const DUMMY_HASH = bcrypt.hashSync('timing-equaliser', 10);

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(username: string, password: string): Promise<LoginResponseDto> {
    const user = await this.dataSource.getRepository(User).findOneBy({ username, active: true });
    const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
    // One answer for an unknown user and a wrong password, so usernames cannot be probed.
    if (!user || !ok) throw new UnauthorizedException('wrong username or password');
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role, unitId: user.unitId });
    return { accessToken, expiresIn: this.config.jwt.ttlSeconds };
  }
}
