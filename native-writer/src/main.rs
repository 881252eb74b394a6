//! `rawburn`: builds exact CD images (and, later, burns them).
//!
//! Exit codes are listed in [`error`].

// A binary: `pub` marks what a module offers the others, nothing more.
#![allow(unreachable_pub)]

mod build;
mod error;
mod input;
mod progress;
mod show;
mod sources;

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
        /// A .cue sheet or a project .json.
        input: PathBuf,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        /// Subchannel of a .raw image: none (2352 bytes per sector), pq
        /// (2368), cooked or raw (2448).
        #[arg(long, value_enum)]
        subchannel: Option<SubchannelArg>,
        /// No progress bar or summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Prints the track table and the TOC the disc will report.
    Toc {
        /// A .cue sheet or a project .json.
        input: PathBuf,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
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
            quiet,
        } => {
            let image_type = subchannel.map(|s| match s {
                SubchannelArg::None => ImageType::Plain,
                SubchannelArg::Pq => ImageType::PqOnly,
                SubchannelArg::Cooked => ImageType::Cooked,
                SubchannelArg::Raw => ImageType::Raw,
            });
            build::build(&input, &output, image_type, quiet)
        }
        Command::Toc { input, json } => {
            let text = show::toc(&input, json)?;
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
