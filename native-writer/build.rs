//! The companion embeds the disc editor from `web/dist` (built by
//! `npm run build --prefix web`) when it is there: rebuild when it changes
//! or appears.

fn main() {
    println!("cargo:rerun-if-changed=../web/dist");
    println!("cargo:rerun-if-changed=page");
}
