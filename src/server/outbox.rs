//! A client's outgoing queue: whole protocol elements, bounded by their number; when full, the
//! oldest element not yet started is dropped and counted, so a client that stops reading holds
//! at most `capacity` elements and never slows anyone else.

use std::collections::VecDeque;
use std::io;

use tokio::net::TcpStream;

/// Bytes an empty outbox keeps; above [`SHRINK_ABOVE`] it gives memory back once drained.
const INITIAL: usize = 4096;
const SHRINK_ABOVE: usize = 64 * 1024;

pub struct Outbox {
    bytes: VecDeque<u8>,
    /// Lengths of the queued elements, oldest first; the first may be partly written.
    lens: VecDeque<usize>,
    /// Bytes of the first element already written.
    started: usize,
    capacity: usize,
    /// Elements dropped since the outbox was made.
    pub dropped: u64,
}

impl Outbox {
    pub fn new(capacity: usize) -> Outbox {
        Outbox {
            bytes: VecDeque::new(),
            lens: VecDeque::new(),
            started: 0,
            capacity: capacity.max(2),
            dropped: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    pub fn len(&self) -> usize {
        self.lens.len()
    }

    /// Queue one element; returns true when an older one had to be dropped for it.
    pub fn push(&mut self, element: &[u8]) -> bool {
        if element.is_empty() {
            return false;
        }
        self.bytes.extend(element);
        self.lens.push_back(element.len());
        if self.lens.len() <= self.capacity {
            return false;
        }
        // Drop the oldest element that has not started; a started one must finish first.
        let victim = usize::from(self.started > 0);
        let start: usize =
            self.lens.iter().take(victim).sum::<usize>() - if victim == 1 { self.started } else { 0 };
        let len = self.lens.remove(victim).expect("more than capacity elements");
        self.bytes.drain(start..start + len);
        self.dropped += 1;
        true
    }

    /// Write as much as the socket takes now. `Ok(true)` when everything was written.
    pub fn write_to(&mut self, stream: &TcpStream) -> io::Result<bool> {
        while !self.bytes.is_empty() {
            let (a, b) = self.bytes.as_slices();
            let n = match stream.try_write_vectored(&[io::IoSlice::new(a), io::IoSlice::new(b)]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            };
            self.consume(n);
        }
        // A burst (a client that lagged) grew the buffers: give the memory back once drained.
        if self.bytes.capacity() > SHRINK_ABOVE {
            self.bytes.shrink_to(INITIAL);
            self.lens.shrink_to(INITIAL / 32);
        }
        Ok(true)
    }

    fn consume(&mut self, mut n: usize) {
        self.bytes.drain(..n);
        while n > 0 {
            let first = self.lens[0] - self.started;
            if n >= first {
                n -= first;
                self.lens.pop_front();
                self.started = 0;
            } else {
                self.started += n;
                n = 0;
            }
        }
    }

    /// Write everything, waiting for the socket, within `limit` (closing a connection cleanly).
    pub async fn drain(&mut self, stream: &TcpStream, limit: std::time::Duration) {
        let _ = tokio::time::timeout(limit, async {
            loop {
                match self.write_to(stream) {
                    Ok(true) | Err(_) => return,
                    Ok(false) => {
                        if stream.writable().await.is_err() {
                            return;
                        }
                    }
                }
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_unstarted_element_goes_and_a_started_one_finishes() {
        let mut o = Outbox::new(2);
        assert!(!o.push(b"<a>"));
        assert!(!o.push(b"<bb>"));
        assert!(o.push(b"<ccc>"));
        assert_eq!(o.bytes.iter().copied().collect::<Vec<_>>(), b"<bb><ccc>");
        o.consume(2);
        assert!(o.push(b"<d>"));
        // <bb> was started: <ccc> went instead.
        assert_eq!(o.bytes.iter().copied().collect::<Vec<_>>(), b"b><d>");
        assert_eq!(o.dropped, 2);
        o.consume(5);
        assert!(o.is_empty());
    }
}
