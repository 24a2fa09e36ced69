/**
 * Unit tests of pure logic: Fabric-style ECDSA signatures (DER, low-S) made and checked on bytes.
 */
import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { expect } from 'chai';
import { parseDerSignature, signLowS, verifyLowS } from '../src/msp/ecdsa';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function derInt(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0]! & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function der(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInt(r), derInt(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('devnet ECDSA signatures', () => {
  it('signs with S in the lower half of the order, in DER that node and the low-S check accept', () => {
    for (let i = 0; i < 200; i++) {
      const message = randomBytes(1 + (i % 300));
      const signature = signLowS(privateKey, message);
      const parsed = parseDerSignature(signature);
      expect(parsed, `signature ${i}`).to.not.equal(undefined);
      expect(parsed!.s <= N >> 1n, `S of signature ${i}`).to.equal(true);
      expect(der(parsed!.r, parsed!.s).equals(signature), `DER of signature ${i}`).to.equal(true);
      expect(verify('sha256', message, publicKey, signature)).to.equal(true);
      expect(verifyLowS(publicKey, message, signature)).to.equal(true);
    }
  });

  it('refuses the high-S twin of a valid signature, which plain ECDSA accepts', () => {
    const message = Buffer.from('endorsement');
    const { r, s } = parseDerSignature(signLowS(privateKey, message))!;
    const twin = der(r, N - s);
    expect(verify('sha256', message, publicKey, twin)).to.equal(true);
    expect(verifyLowS(publicKey, message, twin)).to.equal(false);
  });

  it('refuses malformed DER, zero and negative scalars, and a signature over another message', () => {
    const message = Buffer.from('proposal');
    const good = signLowS(privateKey, message);
    const { r, s } = parseDerSignature(good)!;
    expect(verifyLowS(publicKey, Buffer.from('other'), good)).to.equal(false);
    expect(verifyLowS(publicKey, message, good.subarray(0, good.length - 1))).to.equal(false);
    expect(verifyLowS(publicKey, message, Buffer.concat([good, Buffer.from([0])]))).to.equal(false);
    expect(verifyLowS(publicKey, message, Buffer.concat([Buffer.from([0x31]), good.subarray(1)]))).to.equal(false);
    expect(verifyLowS(publicKey, message, der(0n, s))).to.equal(false);
    expect(verifyLowS(publicKey, message, der(r, 0n))).to.equal(false);
    // INTEGER 0x81 without a leading 0x00 is -127: Go's asn1 and OpenSSL refuse negative scalars.
    expect(parseDerSignature(Buffer.from('3006020101020181', 'hex'))).to.equal(undefined);
    expect(parseDerSignature(Buffer.from('300702010102020081', 'hex'))).to.deep.equal({ r: 1n, s: 0x81n });
    expect(parseDerSignature(Buffer.alloc(0))).to.equal(undefined);
  });
});
