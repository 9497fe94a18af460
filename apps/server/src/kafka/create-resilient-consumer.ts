import { Consumer } from "@platformatic/kafka";

/**
 * A group consumer for the server's long-running consume loops, which rejoin the group after a
 * broker or network failure: it retries briefly before giving up to the loop, and a member that
 * died with a broker leaves the group within seconds, not the default 30 s.
 */
export function createResilientConsumer(
  clientId: string,
  groupId: string,
  bootstrapBrokers: string[],
): Consumer {
  return new Consumer({
    clientId,
    groupId,
    bootstrapBrokers,
    retries: 10,
    retryDelay: 250,
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
  });
}
