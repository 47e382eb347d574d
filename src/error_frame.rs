//! Decoding SocketCAN error frames (class bits in the id, details in the 8 data bytes) into words a
//! person understands ("bus-off", "error-passive", "ACK error"), and into bus-state changes.
//! (STUB: being implemented.)
