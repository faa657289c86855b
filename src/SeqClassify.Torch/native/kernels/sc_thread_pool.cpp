#include "sc_thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sc_float_mode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SC_PAUSE() _mm_pause()
#else
#define SC_PAUSE() std::this_thread::yield()
#endif

namespace sc {
namespace {

// How long an idle pool thread looks for new work before it sleeps, and how long the caller spins
// on the last pieces before it starts yielding its core.
constexpr auto kIdleSpin = std::chrono::microseconds(50);
constexpr auto kFinishSpin = std::chrono::microseconds(20);

template <class Done>
void spin_until(Done done, std::chrono::microseconds budget) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    for (int i = 0; !done(); ++i) {
        SC_PAUSE();
        if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return;
    }
}

struct Job {
    int64_t pieces, max_workers;
    void (*call)(const void*, int64_t, int64_t);
    const void* context;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};

    void work(int64_t worker) {
        for (int64_t p; (p = next.fetch_add(1, std::memory_order_relaxed)) < pieces;) {
            call(context, p, worker);
            done.fetch_add(1, std::memory_order_release);
        }
    }
};

}  // namespace

struct ThreadPool::State {
    std::mutex lock;  // guards job, generation's writes, stop
    std::condition_variable wake;
    std::shared_ptr<Job> job;
    std::atomic<uint64_t> generation{0};
    bool stop = false;
    std::vector<std::thread> threads;
    std::atomic<int> size{1};
    std::atomic<int> flushing{0};  // pool threads that confirmed FTZ/DAZ
    std::mutex resize;

    void loop(int64_t index) {
        flush_denormals_on_this_thread();
        if (thread_flushes_denormals()) flushing.fetch_add(1);
        uint64_t seen = generation.load(std::memory_order_acquire);
        for (;;) {
            spin_until([&] { return generation.load(std::memory_order_acquire) != seen; }, kIdleSpin);
            std::shared_ptr<Job> current;
            {
                std::unique_lock<std::mutex> guard(lock);
                wake.wait(guard, [&] { return stop || generation.load(std::memory_order_relaxed) != seen; });
                if (stop) return;
                seen = generation.load(std::memory_order_relaxed);
                current = job;
            }
            if (current && index < current->max_workers) current->work(index);
        }
    }

    void stop_threads() {
        {
            std::lock_guard<std::mutex> guard(lock);
            stop = true;
        }
        wake.notify_all();
        for (auto& t : threads) t.join();
        threads.clear();
        std::lock_guard<std::mutex> guard(lock);
        stop = false;
        job.reset();
        flushing = 0;
    }
};

// As many threads as the machine has, like PyTorch's default.
ThreadPool::ThreadPool() : state_(new State) {
    set_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

ThreadPool& ThreadPool::instance() {
    static ThreadPool* pool = new ThreadPool();  // never destroyed: see the header
    return *pool;
}

void ThreadPool::set_threads(int threads) {
    std::lock_guard<std::mutex> guard(state_->resize);
    if (threads == state_->size.load()) return;
    state_->stop_threads();
    state_->size = 1;
    for (int i = 1; i < threads; ++i) state_->threads.emplace_back([this, i] { state_->loop(i); });
    state_->size = threads;
}

int ThreadPool::threads() const { return state_->size.load(std::memory_order_relaxed); }

bool ThreadPool::pool_threads_flush_denormals() const {
    // Threads confirm at their start; wait briefly for any still starting.
    spin_until([&] { return state_->flushing.load() == threads() - 1; }, std::chrono::microseconds(200000));
    return state_->flushing.load() == threads() - 1;
}

void ThreadPool::run(int64_t pieces, int64_t max_workers, PieceFunction call, const void* context) {
    auto job = std::make_shared<Job>();
    job->pieces = pieces;
    job->max_workers = max_workers;
    job->call = call;
    job->context = context;
    if (max_workers > 1) {
        {
            std::lock_guard<std::mutex> guard(state_->lock);
            state_->job = job;
            state_->generation.fetch_add(1, std::memory_order_release);
        }
        state_->wake.notify_all();
    }
    job->work(0);
    // Pieces other threads took may still be running.
    auto finished = [&] { return job->done.load(std::memory_order_acquire) == pieces; };
    spin_until(finished, kFinishSpin);
    while (!finished()) std::this_thread::yield();
}

}  // namespace sc
