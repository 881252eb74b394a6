//! A scripted libusb for tests: it answers each call from a script and
//! records the calls.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::RawUsb;
use Reply::{Data, Done, Fail, Took};
use mmc::wire::bot::SetupPacket;
use std::collections::VecDeque;
use std::time::Duration;

/// The longest timeout the scripted device accepts.
pub const T30: Duration = Duration::from_secs(30);

/// What the scripted device answers to the next call.
#[derive(Debug)]
pub enum Reply {
    /// A write took this many bytes.
    Took(usize),
    /// A read (bulk or control) returns these bytes.
    Data(Vec<u8>),
    /// A control request or halt clearing went through.
    Done,
    /// libusb reports this.
    Fail(rusb::Error),
}

/// A device answering from a script and recording the calls it got
/// ("write 02 31", "read 81 13", "clear halt 81", "control out 21 ff
/// 0000 0000 0").
#[derive(Debug, Default)]
pub struct Script {
    /// Answers still to give.
    pub replies: VecDeque<Reply>,
    /// The calls so far, in words.
    pub calls: Vec<String>,
    /// The bytes of every bulk write, in order.
    pub written: Vec<Vec<u8>>,
}

impl Script {
    /// A device giving `replies`, in order.
    pub fn new(replies: Vec<Reply>) -> Script {
        Script {
            replies: replies.into(),
            ..Script::default()
        }
    }

    fn next(&mut self) -> Reply {
        self.replies
            .pop_front()
            .unwrap_or_else(|| panic!("no reply scripted after {:?}", self.calls))
    }

    fn check_timeout(t: Duration) {
        assert!(
            t >= Duration::from_millis(1) && t <= T30,
            "timeout {t:?} out of range"
        );
    }
}

impl RawUsb for Script {
    fn write_bulk(&mut self, ep: u8, data: &[u8], t: Duration) -> Result<usize, rusb::Error> {
        Script::check_timeout(t);
        self.calls.push(format!("write {ep:02x} {}", data.len()));
        self.written.push(data.to_vec());
        match self.next() {
            Took(n) => Ok(n),
            Fail(e) => Err(e),
            other => panic!("a write answered with {other:?}"),
        }
    }

    fn read_bulk(&mut self, ep: u8, buf: &mut [u8], t: Duration) -> Result<usize, rusb::Error> {
        Script::check_timeout(t);
        self.calls.push(format!("read {ep:02x} {}", buf.len()));
        match self.next() {
            Data(d) => {
                buf[..d.len()].copy_from_slice(&d);
                Ok(d.len())
            }
            Fail(e) => Err(e),
            other => panic!("a read answered with {other:?}"),
        }
    }

    fn read_control(
        &mut self,
        s: &SetupPacket,
        buf: &mut [u8],
        _: Duration,
    ) -> Result<usize, rusb::Error> {
        self.calls.push(format!(
            "control in {:02x} {:02x} {:04x} {:04x} {}",
            s.request_type,
            s.request,
            s.value,
            s.index,
            buf.len()
        ));
        match self.next() {
            Data(d) => {
                buf[..d.len()].copy_from_slice(&d);
                Ok(d.len())
            }
            Fail(e) => Err(e),
            other => panic!("a control read answered with {other:?}"),
        }
    }

    fn write_control(
        &mut self,
        s: &SetupPacket,
        data: &[u8],
        _: Duration,
    ) -> Result<usize, rusb::Error> {
        self.calls.push(format!(
            "control out {:02x} {:02x} {:04x} {:04x} {}",
            s.request_type,
            s.request,
            s.value,
            s.index,
            data.len()
        ));
        match self.next() {
            Done => Ok(data.len()),
            Fail(e) => Err(e),
            other => panic!("a control write answered with {other:?}"),
        }
    }

    fn clear_halt(&mut self, ep: u8) -> Result<(), rusb::Error> {
        self.calls.push(format!("clear halt {ep:02x}"));
        match self.next() {
            Done => Ok(()),
            Fail(e) => Err(e),
            other => panic!("clearing a halt answered with {other:?}"),
        }
    }
}
