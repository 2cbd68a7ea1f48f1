// authcore/inspect's inspectToken, for both its entries; see inspect-node.js.
export const inspector = (wasm, inputRecord, input, isExpired, last) => {
  const memory = Object.values(wasm).find((m) => m instanceof WebAssembly.Memory);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let u8 = new Uint8Array(0);
  let dv, p;
  const u32 = () => dv.getUint32((p += 4) - 4, true);
  const num = () => (u8[p++] ? dv.getFloat64((p += 8) - 8, true) : null);
  const str = (n = u32(), s = '', i = p) => {
    if (n > 8192) return null;
    for (; i < p + n && u8[i] < 128; i++) s += String.fromCharCode(u8[i]);
    if (i < p + n) s = decoder.decode(u8.subarray(p, p + n));
    p += n;
    return s;
  };
  const list = (n = u32(), a = []) => {
    if (n > 8192) return null;
    while (a.length < n) a.push(str());
    return a;
  };
  return function inspectToken(token, nowSeconds) {
    if (!u8.length) dv = new DataView((u8 = new Uint8Array(memory.buffer)).buffer);
    const r = typeof token === 'string' && (nowSeconds == null || typeof nowSeconds === 'number') && encoder.encodeInto(token, u8.subarray(input, input + 8192));
    p = r && r.read === token.length ? inputRecord(r.written, nowSeconds) : (isExpired(token, 0, nowSeconds), last());
    if (!u8.length) dv = new DataView((u8 = new Uint8Array(memory.buffer)).buffer);
    return {
      alg: str(), kid: str(), typ: str(), id: num(), userId: num(), roles: list(), iat: num(), nbf: num(),
      exp: num(), iss: str(), sub: str(), aud: list(), jti: str(), expired: u8[p++] === 1, secondsLeft: num(),
    };
  };
};
