import { Code, ConnectError } from "@connectrpc/connect";
import { errorStatus, TensorwireError } from "@tensorwire/codec";

/**
 * The boundary conversions. Handlers throw `TensorwireError` (or anything else, which is an internal
 * fault); REST and gRPC turn it into a status here, through the codec's one `errorStatus` table.
 */

/** A `ConnectError` whose code is the gRPC status of the error's code (Connect's numbers are gRPC's). */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) {
    return err;
  }
  const tw = TensorwireError.from(err);
  return new ConnectError(tw.message, errorStatus[tw.code].grpc as Code, undefined, undefined, err);
}

/** True for failures that are the server's fault, which the transports log. */
export function isServerFault(err: TensorwireError | ConnectError): boolean {
  if (err instanceof ConnectError) {
    return err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.DataLoss;
  }
  return err.code === "internal";
}
