//! The C math library's inexact functions (`sin`, `powf`, `exp2f`,
//! `sincos`...) answered by the `libm` crate, the code the wasm32 build of
//! the Rust standard library calls for them, so that the native programs
//! and the WebAssembly package round every one of these results to the
//! same bit.
//!
//! Why: audio decoders build tables and windows with `f32::powf`,
//! `f64::sin` and friends, which compile to calls of the C functions of
//! those names. On Linux those come from glibc, whose results differ from
//! the `libm` crate's in the last bit for some arguments, and a table entry
//! one bit off moves a decoded sample by one step now and then. With this
//! crate linked, a native program defines the C names itself (a definition
//! in the program takes precedence over the shared C library's), so the
//! calls land in the same code on both sides.
//!
//! Both targets' compilers rewrite calls the same way before they reach
//! these names (`powf(2.0, y)` becomes `exp2f(y)` on both), except that
//! GNU targets merge a `sin` and a `cos` of one argument into `sincos`;
//! `libm`'s `sincos` returns the bits of its `sin` and `cos` (tested).
//!
//! Linking it is enough: a crate that uses it writes `use samemath as _;`.
//! Exact functions (`sqrt`, `floor`, `fma`...) are left to the platform:
//! IEEE 754 fixes their results. On wasm32 nothing is defined here (the
//! standard library already answers these names with `libm`), nor on
//! Windows, whose C runtime is linked statically and would clash.
//!
//! The crate allows `unsafe` for two reasons only: exporting an
//! unmangled symbol is unsafe in Rust 2024, and `sincos`/`sincosf` write
//! their results through pointers, as their C signatures require.
#![allow(unsafe_code)]

/// Defines C functions of one or two floating-point arguments that return
/// the `libm` crate's result.
macro_rules! export {
    ($($name:ident ( $($arg:ident),+ ) : $t:ty;)*) => {
        $(
            #[cfg(not(any(target_arch = "wasm32", windows)))]
            #[unsafe(no_mangle)]
            #[doc = concat!("C `", stringify!($name), "`, computed by `libm::", stringify!($name), "`.")]
            pub extern "C" fn $name($($arg: $t),+) -> $t {
                libm::$name($($arg),+)
            }
        )*
    };
}

export! {
    acos(x): f64; acosf(x): f32; asin(x): f64; asinf(x): f32;
    atan(x): f64; atanf(x): f32; atan2(y, x): f64; atan2f(y, x): f32;
    acosh(x): f64; acoshf(x): f32; asinh(x): f64; asinhf(x): f32;
    atanh(x): f64; atanhf(x): f32;
    sin(x): f64; sinf(x): f32; cos(x): f64; cosf(x): f32;
    tan(x): f64; tanf(x): f32;
    sinh(x): f64; sinhf(x): f32; cosh(x): f64; coshf(x): f32;
    tanh(x): f64; tanhf(x): f32;
    exp(x): f64; expf(x): f32; exp2(x): f64; exp2f(x): f32;
    exp10(x): f64; exp10f(x): f32; expm1(x): f64; expm1f(x): f32;
    log(x): f64; logf(x): f32; log2(x): f64; log2f(x): f32;
    log10(x): f64; log10f(x): f32; log1p(x): f64; log1pf(x): f32;
    pow(x, y): f64; powf(x, y): f32; cbrt(x): f64; cbrtf(x): f32;
    hypot(x, y): f64; hypotf(x, y): f32;
    erf(x): f64; erff(x): f32; erfc(x): f64; erfcf(x): f32;
    tgamma(x): f64; tgammaf(x): f32; lgamma(x): f64; lgammaf(x): f32;
}

/// C `sincos`, computed by `libm::sincos` (LLVM merges a `sin` and a
/// `cos` of one argument into this call on GNU targets).
///
/// # Safety
///
/// `s` and `c` must be valid for writing an `f64` each, as C requires.
#[cfg(not(any(target_arch = "wasm32", windows)))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sincos(x: f64, s: *mut f64, c: *mut f64) {
    let (sin, cos) = libm::sincos(x);
    // SAFETY: the caller passes two writable f64s, as C's sincos requires.
    unsafe {
        s.write(sin);
        c.write(cos);
    }
}

/// C `sincosf`, computed by `libm::sincosf`.
///
/// # Safety
///
/// `s` and `c` must be valid for writing an `f32` each, as C requires.
#[cfg(not(any(target_arch = "wasm32", windows)))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sincosf(x: f32, s: *mut f32, c: *mut f32) {
    let (sin, cos) = libm::sincosf(x);
    // SAFETY: the caller passes two writable f32s, as C's sincosf requires.
    unsafe {
        s.write(sin);
        c.write(cos);
    }
}

#[cfg(test)]
mod tests {
    /// Arguments spread over many magnitudes, both signs, and the edges.
    fn arguments() -> Vec<f64> {
        let mut v = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1e-300,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = ((state & 0x3f) as i32) - 32;
            let sign = if state & 0x40 == 0 { 1.0 } else { -1.0 };
            v.push(sign * mantissa * 2f64.powi(exponent));
        }
        v
    }

    // Through the C names, as compiled code calls them: `std::hint::black_box`
    // keeps the compiler from folding the calls at build time.
    #[cfg(not(any(target_arch = "wasm32", windows)))]
    #[test]
    fn std_math_calls_land_in_libm() {
        use std::hint::black_box;
        for x in arguments() {
            let f = x as f32;
            assert_eq!(
                black_box(x).sin().to_bits(),
                libm::sin(x).to_bits(),
                "sin {x}"
            );
            assert_eq!(
                black_box(x).cos().to_bits(),
                libm::cos(x).to_bits(),
                "cos {x}"
            );
            assert_eq!(
                black_box(f).sin().to_bits(),
                libm::sinf(f).to_bits(),
                "sinf {f}"
            );
            assert_eq!(
                black_box(f).powf(4.0 / 3.0).to_bits(),
                libm::powf(f, 4.0 / 3.0).to_bits()
            );
            assert_eq!(
                black_box(x).atan().to_bits(),
                libm::atan(x).to_bits(),
                "atan {x}"
            );
            assert_eq!(
                black_box(f).exp().to_bits(),
                libm::expf(f).to_bits(),
                "expf {f}"
            );
        }
    }

    #[test]
    fn sincos_agrees_with_sin_and_cos() {
        // The wasm32 build calls sin and cos apart where a native build
        // calls sincos once; their results must be the same bits.
        for x in arguments() {
            let (s, c) = libm::sincos(x);
            assert_eq!(s.to_bits(), libm::sin(x).to_bits(), "sin {x}");
            assert_eq!(c.to_bits(), libm::cos(x).to_bits(), "cos {x}");
            let f = x as f32;
            let (s, c) = libm::sincosf(f);
            assert_eq!(s.to_bits(), libm::sinf(f).to_bits(), "sinf {f}");
            assert_eq!(c.to_bits(), libm::cosf(f).to_bits(), "cosf {f}");
        }
    }
}
