// The packed recurrent encoder ("rnn.*", nn.RNN/GRU/LSTM's parameters and initialisation): stacked
// layers, each of one or two directions (sc_fused_rnn.h), dropout between layers.
#pragma once
#include <array>
#include <mutex>
#include <vector>

#include "sc_dropout.h"
#include "sc_fused_rnn.h"
#include "sc_parameters.h"

namespace sc {

class RecurrentEncoder {
public:
    RecurrentEncoder(Parameters& parameters, const sc_model_config& config, Generator& g);

    int64_t width() const { return hidden_ * directions_; }  // D of the outputs

    struct Cache {
        std::vector<Floats> inputs;  // per layer above the first: its input [N, D] (dropout applied)
        std::vector<DropoutDraw> dropouts;
        std::vector<DirectionState> states;  // per layer and direction
    };
    struct Output {
        Floats outputs;            // [N, D] the last layer's packed outputs
        std::vector<Floats> last;  // the last layer's final states per direction, [B, H] each, sorted order
    };

    // x: packed input [N, I]. cache null: inference. Without outputs (inference pooled by the final
    // states) Output::outputs stays empty and the last layer's outputs are never stored.
    Output forward(const float* x, const Packing& packing, Cache* cache, Generator* g, bool outputs = true) const;
    // Inference on packed token ids [N]: layer 0's input projection comes from a per-token table
    // (embedding · W_ih^T + b_ih for every vocabulary entry), so no token is embedded one by one.
    Output forward_ids(const int64_t* ids, const Packing& packing, const Parameter& embedding, bool outputs = true) const;
    // dx [N, I] (null: not wanted) from the gradients reaching the outputs (d_outputs [N, D], consumed)
    // and the last layer's final states (d_last per direction [B, H] sorted order, or empty).
    void backward(const float* x, const Packing& packing, const Cache& cache, float* d_outputs,
                  const std::vector<Floats>& d_last, float* dx) const;
    // The parameters changed: the per-token tables are stale.
    void drop_tables();

private:
    struct Direction {
        Parameter *w_ih, *w_hh, *b_ih, *b_hh;
        DirectionWeights weights() const;
        DirectionGradients gradients() const;
    };
    const Direction& direction(int64_t layer, int64_t d) const { return directions_list_[static_cast<size_t>(layer * directions_ + d)]; }
    const float* table(int64_t d, const Parameter& embedding) const;
    // forward and forward_ids: layer 0 reads x, or with ids set the tables of `embedding`.
    Output run(const float* x, const int64_t* ids, const Parameter* embedding, const Packing& packing, Cache* cache, Generator* g,
               bool outputs) const;

    int32_t cell_;
    int64_t input_, hidden_, layers_, directions_;
    float dropout_;
    std::vector<Direction> directions_list_;
    mutable std::mutex tables_lock_;
    mutable std::array<Floats, 2> tables_;  // [V, G*H] per direction of layer 0; empty: not made
};

}  // namespace sc
