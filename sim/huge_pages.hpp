// Transparent huge pages for the process's big arrays.
//
// The hot loops read the graph, the attitude vectors and the per-item flags at random. With
// 4 KiB pages most of those reads also miss the TLB, and a page-table walk (two-dimensional in
// a virtual machine) can cost more than the read itself; building a graph also takes one page
// fault per 4 KiB. glibc's malloc backs its large blocks with 2 MiB transparent huge pages only
// when the tunable glibc.malloc.hugetlb=1 is set when the program starts, so a program that
// wants them re-executes itself once with the tunable (docs/performance.md has the figures).
#pragma once

#include <string>

namespace softpower {

/// Call first in main(). If huge pages are wanted and not yet on, re-executes the program
/// (/proc/self/exe, same arguments, same process id) with glibc.malloc.hugetlb=1 added to
/// GLIBC_TUNABLES; in the re-executed program, restores the caller's GLIBC_TUNABLES so that child
/// processes do not inherit the setting. Does nothing when SOFTPOWER_HUGE_PAGES=0, when
/// GLIBC_TUNABLES already sets glibc.malloc.hugetlb (the user's choice wins), or when the kernel
/// has transparent huge pages set to never. If the re-execution fails the program carries on
/// with ordinary pages.
void use_huge_pages(char** argv);

/// How this process's heap is backed, for --profile: "huge pages (glibc.malloc.hugetlb=1)",
/// "4 KiB pages (SOFTPOWER_HUGE_PAGES=0)" and so on.
[[nodiscard]] std::string huge_pages_status();

}  // namespace softpower
