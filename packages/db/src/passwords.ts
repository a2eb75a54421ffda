import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing for every account, whether it signs up through the API or is made by a seed: argon2id with
 * OWASP's baseline (19 MiB, 2 passes). Deliberately slow (~50 ms); seeds hash each distinct password once.
 */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}
