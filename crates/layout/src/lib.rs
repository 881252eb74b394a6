//! `layout`: the pure core of rawburn.
//!
//! Exact CD bytes with no I/O: disc geometry ([`msf`]) and sectors
//! ([`sector`]): every sector type with sync, header, XA subheader, EDC and
//! ECC, the ECMA-130 scrambler, and a checker that decodes sectors back.
//! The crate builds for `wasm32-unknown-unknown`; the optional `parallel`
//! feature (native targets only) spreads batch encoding over all cores.
#![forbid(unsafe_code)]

#[cfg(feature = "audio")]
pub mod audio;
pub mod cdtext;
pub mod cue;
pub mod disc;
pub mod frames;
pub mod image;
pub mod msf;
pub mod names;
pub mod pcm;
pub mod render;
pub mod sector;
pub mod source;
pub mod subchannel;
pub mod wav;
