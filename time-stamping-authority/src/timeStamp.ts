/**
 * RFC 3161 answers: a TimeStampReq (DER) in, a TimeStampResp (DER) out. A granted answer carries a CMS SignedData over
 * a TSTInfo (policy, the request's message imprint and nonce, a random serial, genTime with one-second accuracy),
 * signed by the TSA key with SHA-256 and the signed attributes RFC 5816 requires: content type, message digest and
 * signing-certificate-v2 (the SHA-256 of the TSA certificate), and the TSA certificate itself when the request asks
 * for it (certReq). A malformed request, a digest other than SHA-256/384/512 or a foreign policy gets a rejection
 * with its PKIFailureInfo, never an exception.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import type { Authority } from "./authority.ts";
import { positiveSerial } from "./certificates.ts";

/** The policy under which this development TSA issues tokens (under the ITU-T "example" arc: not for production). */
export const developmentPolicy = "2.999.3161.1";

const digestLengths: Readonly<Record<string, number>> = {
  "2.16.840.1.101.3.4.2.1": 32, // SHA-256
  "2.16.840.1.101.3.4.2.2": 48, // SHA-384
  "2.16.840.1.101.3.4.2.3": 64, // SHA-512
};

/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
const failure = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15 } as const;

export type TimeStampOutcome = "granted" | keyof typeof failure;

export interface TimeStampAnswer {
  readonly outcome: TimeStampOutcome;
  readonly der: ArrayBuffer;
}

function rejection(reason: keyof typeof failure, text: string): TimeStampAnswer {
  const bit = failure[reason];
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[Math.floor(bit / 8)] = 0x80 >> bit % 8;
  const response = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({
      status: pkijs.PKIStatus.rejection,
      statusStrings: [new asn1js.Utf8String({ value: text })],
      failInfo: new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (bit % 8) }),
    }),
  });
  return { outcome: reason, der: response.toSchema().toBER(false) };
}

function parseRequest(der: Uint8Array<ArrayBuffer>): pkijs.TimeStampReq | undefined {
  try {
    return pkijs.TimeStampReq.fromBER(der);
  } catch {
    return undefined;
  }
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }, ESSCertIDv2 with the default SHA-256. */
function signingCertificateV2(certificateHash: ArrayBuffer): asn1js.Sequence {
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certificateHash })] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** Answers one time-stamp request. `now` is the token's genTime. */
export async function answerTimeStampRequest(authority: Authority, der: Uint8Array<ArrayBuffer>, now = new Date()): Promise<TimeStampAnswer> {
  const request = parseRequest(der);
  if (request === undefined || request.version !== 1) return rejection("badDataFormat", "not a version 1 TimeStampReq");
  const imprint = request.messageImprint;
  const expectedLength = digestLengths[imprint.hashAlgorithm.algorithmId];
  if (expectedLength === undefined) return rejection("badAlg", "the message imprint must be SHA-256, SHA-384 or SHA-512");
  if (imprint.hashedMessage.valueBlock.valueHexView.byteLength !== expectedLength) {
    return rejection("badRequest", "the message imprint's length does not match its algorithm");
  }
  if (request.reqPolicy !== undefined && request.reqPolicy !== developmentPolicy) {
    return rejection("unacceptedPolicy", `this authority issues tokens under policy ${developmentPolicy} only`);
  }
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: developmentPolicy,
    messageImprint: imprint,
    serialNumber: new asn1js.Integer({ valueHex: positiveSerial() }),
    genTime: now,
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
  });
  const content = tstInfo.toSchema().toBER(false);
  const tsaDer = authority.tsa.toSchema().toBER(false);
  const [contentDigest, certificateHash] = await Promise.all([crypto.subtle.digest("SHA-256", content), crypto.subtle.digest("SHA-256", tsaDer)]);
  const signedAttributes = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      attribute("1.2.840.113549.1.9.3", new asn1js.ObjectIdentifier({ value: pkijs.id_eContentType_TSTInfo })),
      attribute("1.2.840.113549.1.9.4", new asn1js.OctetString({ valueHex: contentDigest })),
      attribute("1.2.840.113549.1.9.16.2.47", signingCertificateV2(certificateHash)),
    ],
  });
  const signed = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: pkijs.id_eContentType_TSTInfo,
      eContent: new asn1js.OctetString({ valueHex: content }),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: authority.tsa.issuer, serialNumber: authority.tsa.serialNumber }),
        signedAttrs: signedAttributes,
      }),
    ],
    ...(request.certReq === true ? { certificates: [authority.tsa] } : {}),
  });
  await signed.sign(authority.signingKey, 0, "SHA-256");
  const response = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
    timeStampToken: new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signed.toSchema(true) }),
  });
  return { outcome: "granted", der: response.toSchema().toBER(false) };
}
