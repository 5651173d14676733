/**
 * A SOAP 1.1 client for one service endpoint: builds the envelope (with the UsernameToken), posts it with its
 * SOAPAction through the upstream's HTTP pool, and reads the answer safely. What goes wrong becomes an
 * UpstreamError: a Fault by its code (the adapter decides which codes mean "not found"), unsafe or broken XML and
 * missing response elements as malformed, other HTTP errors by their status.
 */
import type { HttpUpstream } from "./httpUpstream.ts";
import { header, statusError } from "./httpUpstream.ts";
import { createEnvelopeWriter, NotSoapError, readEnvelope, SoapFaultError, type SoapFault, type UsernameToken } from "./soap.ts";
import { UpstreamError, type UpstreamFailure } from "./upstreamError.ts";
import { XmlRejectedError, type XmlTree } from "./xml.ts";

export interface SoapOperation {
  /** Operation name as in the WSDL (for logs). */
  readonly name: string;
  /** The SOAPAction of the WSDL binding. */
  readonly soapAction: string;
  /** Local name of the response's body element. */
  readonly responseElement: string;
}

export interface SoapUpstreamOptions {
  readonly provider: string;
  readonly http: HttpUpstream;
  /** Endpoint path below the HTTP upstream's base URL, e.g. `/dmt`. */
  readonly path: string;
  /** WS-Security UsernameToken credentials. */
  readonly security?: UsernameToken | undefined;
  /** @default 1048576 */
  readonly maxResponseBytes?: number;
  /** The failure a Fault stands for. @default Server faults → unavailable (retryable), others → rejected */
  readonly faultKind?: (fault: SoapFault) => UpstreamFailure;
}

export interface SoapUpstream {
  /** Calls `operation` with `payload` as the Body's content; returns the response element's content. */
  invoke(operation: SoapOperation, payload: XmlTree, signal: AbortSignal): Promise<XmlTree | string>;
}

const defaultFaultKind = (fault: SoapFault): UpstreamFailure => (fault.code === "Server" ? "unavailable" : "rejected");

export function createSoapUpstream(options: SoapUpstreamOptions): SoapUpstream {
  const { provider, http, path, security, maxResponseBytes = 1024 * 1024, faultKind = defaultFaultKind } = options;
  const envelope = createEnvelopeWriter(security);
  const limits = { maxBytes: maxResponseBytes };
  return {
    async invoke(operation, payload, signal) {
      const answer = await http.request({
        method: "POST",
        path,
        headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${operation.soapAction}"` },
        body: envelope(payload),
        signal,
      });
      const isXml = /^(?:text|application)\/(?:[\w.+-]+\+)?xml\b/i.test(header(answer, "content-type") ?? "");
      if (!isXml || (answer.status !== 200 && answer.status !== 500)) {
        throw (
          statusError(provider, answer, operation.name) ??
          new UpstreamError("malformed", provider, `${operation.name}: content type is not XML`, { status: answer.status })
        );
      }
      let body: XmlTree;
      try {
        body = readEnvelope(answer.body, limits);
      } catch (error) {
        const status = answer.status;
        if (error instanceof SoapFaultError) {
          throw new UpstreamError(faultKind(error.fault), provider, `${operation.name}: SOAP Fault ${error.fault.code}`, { status });
        }
        if (error instanceof XmlRejectedError) {
          throw new UpstreamError("malformed", provider, `${operation.name}: XML refused (${error.reason})`, { status });
        }
        if (error instanceof NotSoapError) {
          throw (
            statusError(provider, answer, operation.name) ??
            new UpstreamError("malformed", provider, `${operation.name}: not a SOAP envelope`, { status })
          );
        }
        throw error;
      }
      if (answer.status !== 200) {
        throw new UpstreamError("unavailable", provider, `${operation.name}: HTTP ${answer.status} without a Fault`, {
          status: answer.status,
        });
      }
      const response = body[operation.responseElement];
      if (typeof response === "string" || (typeof response === "object" && response !== null && !Array.isArray(response))) {
        return response as XmlTree | string;
      }
      throw new UpstreamError("malformed", provider, `${operation.name}: no ${operation.responseElement} in the Body`);
    },
  };
}
