//! STUB: python-can compatible SocketCAN backend (being implemented).
use super::{BusConfig, BusError, BusEvent, BusStats};
use crate::frame::Frame;

pub struct SocketCanBus {}

impl SocketCanBus {
    pub fn open(config: &BusConfig) -> Result<Self, BusError> {
        Err(BusError::InvalidConfig {
            interface: config.interface.clone(),
            message: "not implemented".into(),
        })
    }
    pub async fn send(&self, _frame: &Frame) -> Result<(), BusError> {
        Err(BusError::Closed)
    }
    pub async fn recv(&self) -> Result<BusEvent, BusError> {
        Err(BusError::Closed)
    }
    pub fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        Err(BusError::Closed)
    }
    pub fn stats(&self) -> BusStats {
        BusStats::default()
    }
    pub fn describe(&self) -> String {
        "socketcan".into()
    }
}

impl SocketCanBus {
    pub fn set_kernel_filter(&mut self, _filter: &crate::filter::FilterSet) -> Result<(), BusError> {
        Ok(())
    }
}
