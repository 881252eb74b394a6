/*
 * bcryptprimitives.dll for the tests under Wine: Rust's standard library
 * takes its random bytes from ProcessPrng, which Wine 8's
 * bcryptprimitives.dll does not export. This one answers it with
 * RtlGenRandom (SystemFunction036 in advapi32), which Wine has. Only the
 * tests load it (scripts/test.sh builds it beside rawburn.exe); Windows 10
 * and later have ProcessPrng themselves.
 *
 *   x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll processprng.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
