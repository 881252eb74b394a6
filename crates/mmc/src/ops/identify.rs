//! What a device is: its standard INQUIRY data, as a device list needs it
//! before anything else is asked (is it a CD/DVD drive, whose).
//!
//! INQUIRY is asked with the operations' retry policy; a device that
//! answers it with CHECK CONDITION is asked once more (a first command
//! after power-on or a reset may meet a unit attention the device did not
//! report as one).

use super::{Next, OpError, Operation, Resend, Steps, parsed, refused};
use crate::scsi::{ScsiRequest, ScsiResponse};
use crate::wire::command::Inquiry;
use crate::wire::inquiry::{INQUIRY_LEN, InquiryRepr};
use std::time::Duration;

/// Asks a device for its INQUIRY data.
#[derive(Debug, Clone)]
pub struct Identify {
    timeout: Option<Duration>,
    refusals: u32,
    found: Option<InquiryRepr>,
}

impl Identify {
    /// An inquiry whose command times out after `timeout` (the transport's
    /// default when `None`).
    pub fn new(timeout: Option<Duration>) -> Identify {
        Identify {
            timeout,
            refusals: 0,
            found: None,
        }
    }
}

impl Steps for Identify {
    type Output = InquiryRepr;

    fn operation(&self) -> Operation {
        Operation::Inspect
    }

    fn next(&mut self, _now: Duration) -> Result<Next, OpError> {
        if self.found.is_some() {
            return Ok(Next::Done);
        }
        let mut request = ScsiRequest::read(
            &Inquiry::new(INQUIRY_LEN as u16).to_bytes(),
            INQUIRY_LEN as u32,
        );
        if let Some(t) = self.timeout {
            request = request.with_timeout(t);
        }
        Ok(Next::Send {
            request,
            resend: Resend::Always,
        })
    }

    fn answer(&mut self, r: ScsiResponse, _now: Duration) -> Result<(), OpError> {
        if !r.is_good() {
            self.refusals += 1;
            if self.refusals == 2 {
                return Err(refused(Inquiry::NAME, &r));
            }
            return Ok(());
        }
        self.found = Some(parsed(Inquiry::NAME, InquiryRepr::parse(&r.data))?);
        Ok(())
    }

    fn output(&mut self) -> Result<InquiryRepr, OpError> {
        self.found.clone().ok_or(OpError::Reply {
            command: Inquiry::NAME,
            why: "no INQUIRY data".to_string(),
        })
    }
}
