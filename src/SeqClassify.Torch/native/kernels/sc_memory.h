// Memory for batches: big blocks are kept for the next batch instead of returned to the system.
//
// Why: a batch of long texts needs a few dozen buffers of several to tens of MB (activations kept
// for the backward pass, gradients, padded copies). glibc serves blocks over 32 MB with fresh
// mappings, and on threads other than the process's first (every .NET thread that calls the
// engine) it serves large blocks from arenas of at most 64 MB that it unmaps when they empty. Every
// batch then paid for zero-filled page faults: about a tenth of training time in a profile
// (clear_page_erms, exc_page_fault).
#pragma once
#include <cstddef>

namespace sc {

// Once per process, before the first model: glibc's thresholds for the main arena. Every engine
// array (sc_array.h) takes its memory from allocate(): blocks of 256 KiB and more are cached (in
// power-of-two size classes, at most 512 MiB of them idle; beyond that blocks go back to the
// system). A request takes an idle block of its class or of one up to 4x larger; when none is idle,
// the idle blocks of smaller classes are freed (see take() in sc_memory.cpp for why).
void keep_batch_memory();

// At least `bytes` bytes, 64-byte aligned (vector loads); throws std::bad_alloc. nullptr for 0.
void* allocate(size_t bytes);
// Gives back what allocate() returned (null is ignored).
void release(void* data);

// Returns every idle cached block to the system and asks glibc to give back its free heap: for the
// end of a long job (a training run), so that what follows (prediction) does not stack its peak on
// the job's cache. Blocks in use are untouched. Returns the bytes of cached blocks freed.
size_t release_idle_memory();

}  // namespace sc
