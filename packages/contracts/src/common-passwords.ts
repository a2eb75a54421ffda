/**
 * The passwords of eight or more characters that top the public leak lists (SecLists, the Chinese CSDN/Tianya
 * leaks) plus this product's own name. They are the first an attacker tries, so an account may not use them.
 */
const COMMON_PASSWORDS = new Set([
  '00000000', '0123456789', '11111111', '1111111111', '11223344', '12121212', '123123123', '12341234', '12345678',
  '12344321', '123456789', '1234567890', '123456789a', '12345678a', '1234abcd', '1234qwer', '123qweasd',
  '1314520520', '147258369', '159357456', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', '1qazxsw2', '520520520',
  '5201314520', '55555555', '654321654321', '66666666', '741852963', '7758521521', '789456123', '87654321',
  '88888888', '987654321', '99999999', '999999999', 'a1234567', 'a12345678', 'a123456789', 'aa123456',
  'aaaaaaaa', 'abc123456', 'abc12345', 'abcd1234', 'abcdefgh', 'admin123', 'admin1234', 'administrator',
  'asdf1234', 'asdfasdf', 'asdfghjk', 'asdfghjkl', 'baseball', 'changeme', 'charlie1', 'computer',
  'dragon123', 'football', 'football1', 'freedom1', 'iloveyou', 'iloveyou1', 'internet', 'jennifer',
  'letmein1', 'letmein123', 'linli123', 'linli1234', 'liverpool', 'login123', 'master123', 'michelle',
  'monkey123', 'p@ssw0rd', 'p@ssword', 'passw0rd', 'password', 'password!', 'password1', 'password12',
  'password123', 'princess', 'q1w2e3r4', 'q1w2e3r4t5', 'qazwsxedc', 'qq123456', 'qwe123qwe', 'qwer1234',
  'qwerty12', 'qwerty123', 'qwertyui', 'qwertyuiop', 'starwars', 'sunshine', 'superman', 'test1234',
  'trustno1', 'welcome1', 'welcome123', 'whatever', 'woaini1314', 'woaini520', 'zaq12wsx', 'zxcvbnm1',
  'zxcvbnm123',
]);

/** True for a password on the list, in any letter case, or one character repeated. */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase()) || /^(.)\1*$/su.test(password);
}
