/** What confirmed one outbox message: where it went and the receiver's answer as kept in the outbox. */
export interface Delivery {
  sentTo: string;
  reply: string;
  /** Logged beside the send: the acknowledgement code, the HTTP status. */
  detail: Record<string, unknown>;
}
