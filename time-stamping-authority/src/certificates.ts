/**
 * X.509 certificates for the development TSA, built with pkijs: a self-signed CA (basicConstraints cA, keyCertSign)
 * and a TSA certificate it issues with the critical extended key usage id-kp-timeStamping (RFC 3161 §2.3), the only
 * usage, as `openssl ts -verify` requires. Keys are ECDSA P-256, signatures SHA-256.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

export const ecdsaP256 = { name: "ECDSA", namedCurve: "P-256" } as const;
/** id-kp-timeStamping. */
const timeStampingUsage = "1.3.6.1.5.5.7.3.8";

export interface CertificateRequest {
  readonly commonName: string;
  readonly publicKey: CryptoKey;
  /** The issuer's certificate; absent for the self-signed CA. */
  readonly issuer?: pkijs.Certificate;
  readonly issuerKey: CryptoKey;
  readonly ca: boolean;
  readonly validDays: number;
}

function name(commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: "2.5.4.3", value: new asn1js.Utf8String({ value: commonName }) })],
  });
}

function extension(extnID: string, critical: boolean, value: { toSchema(): asn1js.AsnType } | asn1js.AsnType): pkijs.Extension {
  const schema = "toSchema" in value ? value.toSchema() : value;
  return new pkijs.Extension({ extnID, critical, extnValue: schema.toBER(false) });
}

async function keyIdentifier(certificate: pkijs.Certificate): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-1", new Uint8Array(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView));
}

export async function issueCertificate(request: CertificateRequest): Promise<pkijs.Certificate> {
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ valueHex: positiveSerial() });
  certificate.subject = name(request.commonName);
  certificate.issuer = request.issuer?.subject ?? certificate.subject;
  const now = Date.now();
  certificate.notBefore.value = new Date(now - 60_000);
  certificate.notAfter.value = new Date(now + request.validDays * 86_400_000);
  await certificate.subjectPublicKeyInfo.importKey(request.publicKey);
  const subjectKeyId = await keyIdentifier(certificate);
  const authorityKeyId = request.issuer === undefined ? subjectKeyId : await keyIdentifier(request.issuer);
  // keyUsage bits: digitalSignature (0) for the TSA; keyCertSign (5) and cRLSign (6) for the CA.
  const usage = request.ca ? new Uint8Array([0x06]) : new Uint8Array([0x80]);
  certificate.extensions = [
    extension("2.5.29.19", true, new pkijs.BasicConstraints({ cA: request.ca })),
    extension("2.5.29.15", true, new asn1js.BitString({ valueHex: usage, unusedBits: request.ca ? 1 : 7 })),
    extension("2.5.29.14", false, new asn1js.OctetString({ valueHex: subjectKeyId })),
    extension("2.5.29.35", false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: authorityKeyId }) })),
    ...(request.ca ? [] : [extension("2.5.29.37", true, new pkijs.ExtKeyUsage({ keyPurposes: [timeStampingUsage] }))]),
  ];
  await certificate.sign(request.issuerKey, "SHA-256");
  return certificate;
}

/** 16 random bytes with the top bit clear: a positive INTEGER, unique without keeping a counter. */
export function positiveSerial(): Uint8Array<ArrayBuffer> {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes;
}

export function toPem(label: "CERTIFICATE" | "PRIVATE KEY", der: ArrayBuffer | Uint8Array): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString("base64");
  return `-----BEGIN ${label}-----\n${base64.replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;
}

export function fromPem(pem: string, label: "CERTIFICATE" | "PRIVATE KEY"): Uint8Array<ArrayBuffer> {
  const match = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`).exec(pem);
  if (match?.[1] === undefined) throw new Error(`no ${label} in PEM`);
  return new Uint8Array(Buffer.from(match[1].replace(/\s+/g, ""), "base64"));
}

export function certificatePem(certificate: pkijs.Certificate): string {
  return toPem("CERTIFICATE", certificate.toSchema().toBER(false));
}

export function parseCertificate(der: Uint8Array<ArrayBuffer>): pkijs.Certificate {
  return pkijs.Certificate.fromBER(der);
}
