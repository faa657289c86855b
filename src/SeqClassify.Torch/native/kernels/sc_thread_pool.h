// The engine's own threads for its parallel work (the fused layer and its matrix products).
//
// Why not an OpenMP pool (libtorch's, which the engine once ran on): libgomp's threads spin while they wait, at every barrier and
// between parallel regions, and a region ends only when every thread has finished the share it was
// handed. Beside a CPU-bound process on a 2-core machine that cost two thirds of training speed
// (bench/results/busy-neighbour.md): the spinning threads took CPU time from the working ones, and
// each barrier waited for a thread the scheduler had set aside.
//
// Here the calling thread always works, and pool threads join a job if they are awake: work is cut
// into pieces taken one at a time from a shared counter, so a job is finished when its pieces are,
// and a pool thread that never got the CPU delays nothing. Idle pool threads spin for a few tens of
// microseconds (during training the next job usually follows within that), then sleep.
//
// Pool threads run only engine work; they flush denormals (FTZ/DAZ, sc_float_mode.h) from birth.
#pragma once
#include <algorithm>
#include <cstdint>

namespace sc {

class ThreadPool {
public:
    // The process's pool. Threads are (re)started by set_threads; never destroyed, so nothing has to
    // be joined while the process exits.
    static ThreadPool& instance();

    // Threads that work on a job, the caller included (>= 1).
    void set_threads(int threads);
    int threads() const;

    // Whether every pool thread confirmed at its start that it flushes denormals.
    bool pool_threads_flush_denormals() const;

    // Slots of per-thread scratch a job over `count` items in pieces of `piece` may use.
    int64_t workers_for(int64_t count, int64_t piece) const {
        return std::max<int64_t>(1, std::min<int64_t>(threads(), (count + piece - 1) / piece));
    }

    // Calls body(first, last, worker) for consecutive pieces [first, last) of [0, count), each at
    // most `piece` long, and returns when all are done. worker < workers_for(count, piece) names
    // the thread's scratch slot (0: the caller). Bodies must not throw. Safe to call from several
    // threads at once (each job then gets whichever pool threads are free).
    template <class Body>
    void run_pieces(int64_t count, int64_t piece, const Body& body) {
        const int64_t pieces = (count + piece - 1) / piece;
        if (pieces <= 0) return;
        struct Context {
            const Body& body;
            int64_t count, piece;
        } context{body, count, piece};
        run(pieces, workers_for(count, piece), [](const void* c, int64_t p, int64_t worker) {
            const auto& ctx = *static_cast<const Context*>(c);
            ctx.body(p * ctx.piece, std::min(ctx.count, (p + 1) * ctx.piece), worker);
        }, &context);
    }

    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

private:
    struct State;
    ThreadPool();
    using PieceFunction = void (*)(const void* context, int64_t piece, int64_t worker);
    void run(int64_t pieces, int64_t max_workers, PieceFunction call, const void* context);
    State* state_;
};

// Shorthand for ThreadPool::instance().run_pieces.
template <class Body>
void parallel_pieces(int64_t count, int64_t piece, const Body& body) {
    ThreadPool::instance().run_pieces(count, piece, body);
}

inline int64_t workers_for(int64_t count, int64_t piece) { return ThreadPool::instance().workers_for(count, piece); }

}  // namespace sc
