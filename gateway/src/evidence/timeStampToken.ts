/**
 * RFC 3161 on the gateway's side, with pkijs: the request for a digest (SHA-256, a random nonce, the TSA certificate
 * asked for), reading the reply's token and its TSTInfo, and verifying a stored token offline — the CMS signature,
 * the signer's chain to a trusted TSA CA with the id-kp-timeStamping usage, and that it stamps exactly this digest.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

const sha256 = "2.16.840.1.101.3.4.2.1";
const timeStampingUsage = "1.3.6.1.5.5.7.3.8";

export interface TokenInfo {
  readonly genTime: Date;
  readonly serial: string;
  readonly imprint: Uint8Array;
  readonly nonce: string | undefined;
}

const hex = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("hex");

export function timeStampRequest(digest: ArrayBuffer, nonce: Uint8Array<ArrayBuffer>): ArrayBuffer {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: sha256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: digest }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return request.toSchema().toBER(false);
}

function signedDataOf(token: pkijs.ContentInfo): pkijs.SignedData {
  if (token.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error("the token is not CMS SignedData");
  const signed = new pkijs.SignedData({ schema: token.content });
  if (signed.encapContentInfo.eContentType !== pkijs.id_eContentType_TSTInfo || signed.encapContentInfo.eContent === undefined) {
    throw new Error("the token holds no TSTInfo");
  }
  return signed;
}

function infoOf(signed: pkijs.SignedData): TokenInfo {
  const content = signed.encapContentInfo.eContent;
  if (content === undefined) throw new Error("the token holds no TSTInfo");
  const tst = pkijs.TSTInfo.fromBER(content.getValue());
  if (tst.messageImprint.hashAlgorithm.algorithmId !== sha256) throw new Error("the token's imprint is not SHA-256");
  return {
    genTime: tst.genTime,
    serial: hex(tst.serialNumber.valueBlock.valueHexView),
    imprint: new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView),
    nonce: tst.nonce === undefined ? undefined : hex(tst.nonce.valueBlock.valueHexView),
  };
}

/** Reads a TimeStampResp: the token (DER) and what it states; throws a short reason for a rejection or garbage. */
export function readTimeStampReply(der: Uint8Array<ArrayBuffer>): { token: Uint8Array<ArrayBuffer>; info: TokenInfo } {
  let reply: pkijs.TimeStampResp;
  try {
    reply = pkijs.TimeStampResp.fromBER(der);
  } catch {
    throw new Error("the TSA's answer is not a TimeStampResp");
  }
  const status = reply.status.status;
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) {
    const text = reply.status.statusStrings?.map((s) => s.valueBlock.value).join("; ");
    throw new Error(`the TSA refused the request (status ${status}${text === undefined ? "" : `: ${text}`})`);
  }
  if (reply.timeStampToken === undefined) throw new Error("the TSA granted no token");
  const token = new Uint8Array(reply.timeStampToken.toSchema().toBER(false));
  return { token, info: infoOf(signedDataOf(reply.timeStampToken)) };
}

export type TokenCheck = { readonly ok: true; readonly info: TokenInfo } | { readonly ok: false; readonly reason: string };

/** Verifies a stored token over `data` (its SHA-256) against the trusted TSA CA certificates; never throws. */
export async function verifyTimeStampToken(token: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>, trusted: readonly pkijs.Certificate[]): Promise<TokenCheck> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  let signed: pkijs.SignedData;
  let info: TokenInfo;
  try {
    signed = signedDataOf(pkijs.ContentInfo.fromBER(token));
    info = infoOf(signed);
  } catch (error) {
    return { ok: false, reason: `its time-stamp token cannot be read (${error instanceof Error ? error.message : "malformed"})` };
  }
  if (hex(info.imprint) !== hex(digest)) return { ok: false, reason: "its time-stamp token stamps other data" };
  try {
    // pkijs checks the TSTInfo's imprint against `data` too.
    const result = await signed.verify({ signer: 0, data: data.buffer, trustedCerts: [...trusted], checkChain: true, extendedMode: true, checkDate: info.genTime });
    if (!result.signatureVerified) return { ok: false, reason: "its time-stamp token's signature does not verify" };
    const usage = result.signerCertificate?.extensions?.find((e) => e.extnID === "2.5.29.37")?.parsedValue as pkijs.ExtKeyUsage | undefined;
    if (usage?.keyPurposes.includes(timeStampingUsage) !== true) return { ok: false, reason: "its time-stamp token is not signed by a time-stamping certificate" };
  } catch (error) {
    const message = (error as { message?: unknown }).message;
    return { ok: false, reason: `its time-stamp token does not verify against the trusted TSA CA (${typeof message === "string" ? message : "invalid"})` };
  }
  return { ok: true, info };
}

/** PEM certificates (a CA file may hold several) as pkijs certificates. */
export function parsePemCertificates(pem: string): pkijs.Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => pkijs.Certificate.fromBER(new Uint8Array(Buffer.from(b.replace(/-----[^-]+-----|\s+/g, ""), "base64"))));
}
