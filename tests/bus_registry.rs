//! A backend added to the registry is a bus like the built-in ones: found by name (and alias) by
//! config resolution and `Bus::open`, listed in the error for an unknown name, shared by a hub.
//! The backend here is a mock, on purpose and only here: a loopback that hands every sent frame
//! back as received, so the registry path can be exercised without any network.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cankit::bus::hub::{Hub, SubscribeOptions};
use cankit::bus::{self, Backend, BackendEntry, BusFuture};
use cankit::config::{resolve_with, FlagSettings};
use cankit::frame::{Direction, Frame, Timestamp};
use cankit::{Bus, BusConfig, BusError, BusEvent};
use tokio::sync::{mpsc, Mutex};

struct Loopback {
    tx: mpsc::UnboundedSender<Frame>,
    rx: Mutex<mpsc::UnboundedReceiver<Frame>>,
    channel: String,
    sent: AtomicU64,
}

impl Backend for Loopback {
    fn send<'a>(&'a self, frame: &'a Frame) -> BusFuture<'a, ()> {
        Box::pin(async move {
            self.sent.fetch_add(1, Ordering::Relaxed);
            self.tx.send(frame.with_timestamp(Timestamp::now())).map_err(|_| BusError::Closed)
        })
    }

    fn recv(&self) -> BusFuture<'_, BusEvent> {
        Box::pin(async move {
            let frame = self.rx.lock().await.recv().await.ok_or(BusError::Closed)?;
            Ok(BusEvent::Frame(frame.with_direction(Direction::Rx)))
        })
    }

    fn stats(&self) -> cankit::bus::BusStats {
        cankit::bus::BusStats { sent: self.sent.load(Ordering::Relaxed), ..Default::default() }
    }

    fn describe(&self) -> String {
        format!("loopback {}", self.channel)
    }
}

const LOOPBACK: BackendEntry = BackendEntry {
    name: "loopback_test",
    aliases: &["loopback-test"],
    open: |config| {
        let (tx, rx) = mpsc::unbounded_channel();
        let channel = config.channel.clone().unwrap_or_else(|| "lo0".into());
        Ok(Box::new(Loopback { tx, rx: Mutex::new(rx), channel, sent: AtomicU64::new(0) }))
    },
};

#[tokio::test]
async fn a_registered_backend_is_opened_by_name_through_config_resolution_and_the_hub() {
    bus::register(LOOPBACK);
    assert!(bus::interfaces().contains(&"loopback_test"));

    // Config resolution takes the alias, in any case, and names the backend.
    let flags = FlagSettings {
        interface: Some("Loopback-Test".into()),
        channel: Some("lo7".into()),
        ..FlagSettings::default()
    };
    let resolved = resolve_with(&flags, &|_| None, &[]).unwrap();
    assert_eq!(resolved.config.interface, "loopback_test");

    // Opened through the same path as the built-in backends.
    let bus = Bus::open(&resolved.config).await.unwrap();
    assert_eq!(bus.describe(), "loopback lo7");
    let hub = Hub::new(bus);
    let mut sub = hub.subscribe(SubscribeOptions::default());
    hub.send(&Frame::new_data(0x321, false, &[7]).unwrap()).await.unwrap();
    let event = tokio::time::timeout(Duration::from_secs(20), sub.recv()).await.unwrap().unwrap();
    assert!(matches!(event, BusEvent::Frame(f) if f.id() == 0x321 && f.data() == [7]), "{event:?}");
    assert_eq!(hub.stats().sent, 1);

    // Unknown names are refused with every registered name listed, by the bus and by config.
    let e = Bus::open(&BusConfig::new("nosuchbus", None)).await.err().unwrap();
    assert!(
        e.to_string()
            .contains("udp_multicast, socketcan, virtual, socketcand, remote, waveshare, loopback_test"),
        "{e}"
    );
    let flags = FlagSettings { interface: Some("nosuchbus".into()), ..FlagSettings::default() };
    let e = resolve_with(&flags, &|_| None, &[]).unwrap_err();
    assert!(e.to_string().contains("loopback_test"), "{e}");
}
