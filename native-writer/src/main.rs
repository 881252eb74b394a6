//! `rawburn`: builds exact CD images (and, later, burns them).
//!
//! Exit codes are listed in [`error`].

// A binary: `pub` marks what a module offers the others, nothing more.
#![allow(unreachable_pub)]

mod build;
mod cdtext;
mod error;
mod input;
mod progress;
mod show;
mod sources;
// Used by the burn commands; until then by its tests.
#[cfg_attr(not(test), allow(dead_code))]
mod vdisc;

use clap::{Parser, Subcommand, ValueEnum};
use error::CliError;
use layout::disc::ImageType;
use std::path::PathBuf;
use std::process::ExitCode;

/// Authors exact CD images: data, audio and mixed-mode discs with every
/// gap, index, ISRC and catalog number.
#[derive(Debug, Parser)]
#[command(name = "rawburn", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes an image. The output's extension picks the format: .cue
    /// (cue + bin), .ccd (CloneCD ccd + img + sub), .toc (cdrdao toc + bin),
    /// .raw (raw image from 95:00:00 with subchannel), .json (project).
    Build {
        /// The input: a .cue sheet, a .toc or .ccd image or a project .json.
        input: PathBuf,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        /// Subchannel of a .raw image: none (2352 bytes per sector), pq
        /// (2368), cooked or raw (2448).
        #[arg(long, value_enum)]
        subchannel: Option<SubchannelArg>,
        /// CD-TEXT to use instead of the input's: a .cdt file (all its
        /// blocks) or a Sony input sheet v0.7T (one block each); repeat for
        /// more blocks.
        #[arg(long, value_name = "FILE")]
        cdtext: Vec<PathBuf>,
        /// No progress bar or summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Prints the track table and the TOC the disc will report.
    Toc {
        /// The input: a .cue sheet, a .toc or .ccd image or a project .json.
        input: PathBuf,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// CD-TEXT to use instead of the input's (.cdt or input sheet).
        #[arg(long, value_name = "FILE")]
        cdtext: Vec<PathBuf>,
    },
    /// Shows CD-TEXT pack by pack with the decoded texts; writes it as a
    /// .cdt or as Sony input sheets.
    Cdtext {
        /// A .cue, project .json, .cdt file, or raw image (.raw, 2448 bytes
        /// per sector: read from its lead-in).
        input: PathBuf,
        /// CD-TEXT to use instead of the input's (.cdt or input sheet).
        #[arg(long, value_name = "FILE")]
        cdtext: Vec<PathBuf>,
        /// Write the packs to this .cdt file.
        #[arg(long, value_name = "FILE")]
        cdt: Option<PathBuf>,
        /// Write each block as a Sony input sheet v0.7T (block 0 to FILE,
        /// block n to FILE-n).
        #[arg(long, value_name = "FILE")]
        sheet: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SubchannelArg {
    None,
    Pq,
    Cooked,
    Raw,
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Build {
            input,
            output,
            subchannel,
            cdtext,
            quiet,
        } => {
            let image_type = subchannel.map(|s| match s {
                SubchannelArg::None => ImageType::Plain,
                SubchannelArg::Pq => ImageType::PqOnly,
                SubchannelArg::Cooked => ImageType::Cooked,
                SubchannelArg::Raw => ImageType::Raw,
            });
            build::build(&input, &output, image_type, &cdtext, quiet)
        }
        Command::Toc {
            input,
            json,
            cdtext,
        } => {
            let text = show::toc(&input, json, &cdtext)?;
            print!("{text}");
            Ok(())
        }
        Command::Cdtext {
            input,
            cdtext,
            cdt,
            sheet,
        } => {
            let text = cdtext::cdtext(
                &input,
                &cdtext::Options {
                    cdtext: &cdtext,
                    cdt: cdt.as_deref(),
                    sheet: sheet.as_deref(),
                },
            )?;
            print!("{text}");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.kind.code())
        }
    }
}
