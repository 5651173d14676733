/**
 * SOAP 1.1 envelopes with a WS-Security UsernameToken, built and read through `xml.ts` (never by string
 * concatenation). The password is sent as PasswordDigest = Base64(SHA-1(nonce + created + password)), so it never
 * travels in clear and a captured header cannot be replayed after the service's freshness window.
 */
import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { buildFragment, buildXml, parseXml, type XmlLimits, type XmlTree } from "./xml.ts";
import { compileXml, slot } from "./xmlTemplate.ts";

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
  return createHash("sha1").update(nonce).update(created, "utf8").update(password, "utf8").digest("base64");
}

/** A request envelope whose body is `payload` (an object tree for `buildXml`, carrying its own namespace). */
export function buildEnvelope(payload: XmlTree, options: EnvelopeOptions = {}): string {
  const { security } = options;
  if (security === undefined) return buildXml(envelopeTree(undefined, payload));
  const nonce = options.nonce ?? randomBytes(16);
  const created = (options.now ?? new Date()).toISOString();
  return buildXml(envelopeTree(securityHeader(security.username, passwordDigest(nonce, created, security.password), nonce.toString("base64"), created), payload));
}

/**
 * `buildEnvelope` for one set of credentials, made once: the envelope and its Security header are compiled
 * (xmlTemplate.ts) with the user name in place and slots for what changes per call (digest, nonce, time, and the
 * body, which the builder makes from the payload), so a call builds only its payload. Gives the same document as
 * `buildEnvelope` with the same nonce and time (tested).
 */
export function createEnvelopeWriter(security: UsernameToken | undefined): (payload: XmlTree, options?: Omit<EnvelopeOptions, "security">) => string {
  if (security === undefined) return (payload) => buildEnvelope(payload);
  const template = compileXml<"username" | "digest" | "nonce" | "created" | "body">(
    envelopeTree(securityHeader(slot("username"), slot("digest"), slot("nonce"), slot("created")), slot("body")),
    ["body"],
  );
  const { username } = security;
  return (payload, options = {}) => {
    const nonce = options.nonce ?? nextNonce();
    const created = (options.now ?? new Date()).toISOString();
    const digest = passwordDigest(nonce, created, security.password);
    return template({ username, digest, nonce: nonce.toString("base64"), created, body: buildFragment(payload) });
  };
}

function envelopeTree(header: XmlTree | undefined, body: XmlTree | string): XmlTree {
  return { "soap:Envelope": { "@_xmlns:soap": soapEnvelopeNs, ...(header === undefined ? {} : { "soap:Header": header }), "soap:Body": body } };
}

function securityHeader(username: string, digest: string, nonce: string, created: string): XmlTree {
  return {
    "wsse:Security": {
      "@_xmlns:wsse": wsseNs,
      "@_xmlns:wsu": wsuNs,
      "@_soap:mustUnderstand": "1",
      "wsse:UsernameToken": {
        "wsse:Username": username,
        "wsse:Password": { "@_Type": passwordDigestType, "#text": digest },
        "wsse:Nonce": { "@_EncodingType": base64BinaryType, "#text": nonce },
        "wsu:Created": created,
      },
    },
  };
}

// Nonces are cut from a block of random bytes filled 256 nonces at a time: the same CSPRNG, a tenth of the calls.
const noncePool = Buffer.alloc(16 * 256);
let nonceOffset = noncePool.length;

function nextNonce(): Buffer {
  if (nonceOffset === noncePool.length) {
    randomFillSync(noncePool);
    nonceOffset = 0;
  }
  // A copy: the pool is refilled later, and a nonce must not change under its caller.
  const nonce = Buffer.from(noncePool.subarray(nonceOffset, nonceOffset + 16));
  nonceOffset += 16;
  return nonce;
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
