/**
 * SOAP 1.1 envelopes with a WS-Security UsernameToken, built and read through `xml.ts` (never by string
 * concatenation). The password is sent as PasswordDigest = Base64(SHA-1(nonce + created + password)), so it never
 * travels in clear and a captured header cannot be replayed after the service's freshness window.
 */
import { createHash, randomBytes } from "node:crypto";
import { buildXml, parseXml, type XmlLimits, type XmlTree } from "./xml.ts";

export const soapEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
export const wsseNs = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
export const wsuNs = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
export const passwordDigestType =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
export const passwordTextType =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
export const base64BinaryType =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-soap-message-security-1.0#Base64Binary";

export interface UsernameToken {
  readonly username: string;
  readonly password: string;
}

export interface EnvelopeOptions {
  /** WS-Security credentials; no Security header when absent. */
  readonly security?: UsernameToken | undefined;
  /** For tests. @default new Date() */
  readonly now?: Date;
  /** For tests. @default 16 random bytes */
  readonly nonce?: Buffer;
}

/** PasswordDigest of the UsernameToken profile 1.0. */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash("sha1").update(Buffer.concat([nonce, Buffer.from(created, "utf8"), Buffer.from(password, "utf8")])).digest("base64");
}

/** A request envelope whose body is `payload` (an object tree for `buildXml`, carrying its own namespace). */
export function buildEnvelope(payload: XmlTree, options: EnvelopeOptions = {}): string {
  const header: XmlTree = {};
  if (options.security !== undefined) {
    const nonce = options.nonce ?? randomBytes(16);
    const created = (options.now ?? new Date()).toISOString();
    header["wsse:Security"] = {
      "@_xmlns:wsse": wsseNs,
      "@_xmlns:wsu": wsuNs,
      "@_soap:mustUnderstand": "1",
      "wsse:UsernameToken": {
        "wsse:Username": options.security.username,
        "wsse:Password": {
          "@_Type": passwordDigestType,
          "#text": passwordDigest(nonce, created, options.security.password),
        },
        "wsse:Nonce": { "@_EncodingType": base64BinaryType, "#text": nonce.toString("base64") },
        "wsu:Created": created,
      },
    };
  }
  return buildXml({
    "soap:Envelope": {
      "@_xmlns:soap": soapEnvelopeNs,
      ...(options.security === undefined ? {} : { "soap:Header": header }),
      "soap:Body": payload,
    },
  });
}

export interface SoapFault {
  /** faultcode without its prefix, e.g. `Client`, `Server`, `FailedAuthentication`. */
  readonly code: string;
  readonly message: string;
  /** The parsed `detail` element, if any. */
  readonly detail: unknown;
}

export class SoapFaultError extends Error {
  override name = "SoapFaultError";
  readonly fault: SoapFault;
  constructor(fault: SoapFault) {
    super(`SOAP Fault ${fault.code}`);
    this.fault = fault;
  }
}

export class NotSoapError extends Error {
  override name = "NotSoapError";
}

/**
 * The Body of a response envelope (namespace prefixes removed). A Fault is thrown as SoapFaultError; a document
 * that is not a SOAP envelope as NotSoapError; unsafe or broken XML as XmlRejectedError (from `parseXml`).
 */
export function readEnvelope(text: string, limits: XmlLimits = {}): XmlTree {
  const tree = parseXml(text, limits);
  const envelope = tree["Envelope"];
  const body = isRecord(envelope) ? envelope["Body"] : undefined;
  if (!isRecord(body)) throw new NotSoapError("not a SOAP envelope");
  const fault = body["Fault"];
  if (fault !== undefined) {
    const f = isRecord(fault) ? fault : {};
    const code = text0(f["faultcode"]).replace(/^.*:/, "");
    throw new SoapFaultError({ code, message: text0(f["faultstring"]), detail: f["detail"] });
  }
  return body;
}

function text0(value: unknown): string {
  if (typeof value === "string") return value;
  if (isRecord(value) && typeof value["#text"] === "string") return value["#text"];
  return "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
