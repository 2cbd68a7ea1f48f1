// authcore/inspect's functions over its module's plain exports (wasm/src/inspect_abi.rs).
import { AuthcoreError } from './errors.js';

export const inspectApi = (x) => {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const input = x.inspect_input();
  const slot = x.inspect_slot();
  let u8 = new Uint8Array(0);
  let dv, p, slots;
  // Views of the memory and of the two input slots, made again when the memory has grown.
  const view = () => {
    if (!u8.length) {
      dv = new DataView((u8 = new Uint8Array(x.memory.buffer)).buffer);
      slots = [u8.subarray(input, input + slot), u8.subarray(input + slot, input + 2 * slot)];
    }
  };
  const put = (s, name, second) => {
    if (typeof s !== 'string') throw new AuthcoreError('invalid_argument', `${name} must be a string`);
    view();
    return encoder.encodeInto(s, slots[second ? 1 : 0]).written;
  };
  const has = (v) => v != null;
  const number = (v) => (v == null ? 0 : +v);
  const clock = (now) => (now == null ? Date.now() : 0);
  const u32 = () => dv.getUint32((p += 4) - 4, true);
  const num = () => (u8[p++] ? dv.getFloat64((p += 8) - 8, true) : null);
  const str = (n = u32(), s = '', i = p) => {
    if (n === 0xffffffff) return null;
    for (; i < p + n && u8[i] < 128; i++) s += String.fromCharCode(u8[i]);
    if (i < p + n) s = decoder.decode(u8.subarray(p, p + n));
    p += n;
    return s;
  };
  const list = (n = u32(), a = []) => {
    if (n === 0xffffffff) return null;
    while (a.length < n) a.push(str());
    return a;
  };
  const answer = (status) => {
    view();
    p = x.inspect_output();
    if (status === 2) throw new AuthcoreError(str(), str());
    return status === 1;
  };
  return {
    inspectToken(token, nowSeconds) {
      const now = number(nowSeconds);
      answer(x.inspect_token(put(token, 'token'), has(nowSeconds), now, clock(nowSeconds)));
      return {
        alg: str(), kid: str(), typ: str(), id: num(), userId: num(), roles: list(), iat: num(), nbf: num(),
        exp: num(), iss: str(), sub: str(), aud: list(), jti: str(), expired: u8[p++] === 1, secondsLeft: num(),
      };
    },
    isExpired(token, leewaySeconds, nowSeconds) {
      const leeway = number(leewaySeconds);
      const now = number(nowSeconds);
      return answer(x.inspect_expired(put(token, 'token'), has(leewaySeconds), leeway, has(nowSeconds), now, clock(nowSeconds)));
    },
    hasRole(token, role) {
      const len = put(token, 'token');
      return answer(x.inspect_role(len, put(role, 'role', 1)));
    },
  };
};
