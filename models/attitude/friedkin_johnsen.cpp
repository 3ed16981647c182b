#include "models/attitude/friedkin_johnsen.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/IterativeLinearSolvers>
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <numeric>
#include <span>
#include <stdexcept>
#include <utility>

namespace softpower {
namespace {

using Index = Eigen::Index;
using StorageIndex = FriedkinJohnsen::Matrix::StorageIndex;

// BiCGSTAB stops when ||b - A x||_2 <= kSolverTolerance ||b||_2 (on its recursive residual); the
// answer is accepted when the true residual meets kAcceptTolerance. See the doc for the bound on
// the error this gives.
constexpr double kSolverTolerance = 1e-14;
constexpr double kAcceptTolerance = 1e-12;
constexpr int kSolverRounds = 4;
constexpr Index kSolverIterations = 10000;  // per round

bool is_susceptibility(double lambda) { return lambda >= 0.0 && lambda <= 1.0; }

/// Row v's in-neighbours among users with their raw weights, sorted by source, duplicates
/// merged (summed in arc order) and zero weights dropped.
void gather_row(const CsrView& in, std::span<const ArcId> in_ids, const std::vector<float>& weights,
                VertexId num_users, VertexId v, std::vector<std::pair<VertexId, double>>& row,
                bool& bad_weight) {
  row.clear();
  for (ArcId i = in.offsets[v]; i < in.offsets[v + 1]; ++i) {
    const VertexId u = in.targets[i];
    if (u >= num_users) continue;
    const double w = weights.empty() ? 1.0 : static_cast<double>(weights[in_ids[i]]);
    if (!(w >= 0.0) || !std::isfinite(w)) {
      bad_weight = true;
      continue;
    }
    if (w > 0.0) row.emplace_back(u, w);
  }
  const auto by_source = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(row.begin(), row.end(), by_source)) {
    std::stable_sort(row.begin(), row.end(), by_source);
  }
  std::size_t kept = 0;
  for (std::size_t k = 0; k < row.size(); ++k) {
    if (kept > 0 && row[kept - 1].first == row[k].first) {
      row[kept - 1].second += row[k].second;
    } else {
      row[kept++] = row[k];
    }
  }
  row.resize(kept);
}

}  // namespace

namespace detail {

// W's rows, read straight from the compact arrays. An empty row is a user without
// in-neighbours (w_vv = 1); with uniform rows every entry of a row is equal, so the row is
// summed first and scaled once, and no per-entry weight is stored or streamed.
struct Rows {
  std::size_t num_rows;
  const std::uint64_t* offsets;
  const std::uint64_t* ends;  // row v is [offsets[v], ends[v])
  const VertexId* sources;
  const double* weights;  // null: uniform rows, scaled by `scale`
  const double* scale;

  [[nodiscard]] std::uint64_t begin(std::size_t v) const { return offsets[v]; }
  [[nodiscard]] std::uint64_t end(std::size_t v) const { return ends[v]; }
  [[nodiscard]] double weight(std::size_t v, std::uint64_t at) const { return weights ? weights[at] : scale[v]; }

  // A row sums into kLanes partial sums (entry k into lane k mod kLanes, the lanes added
  // pairwise at the end). One running sum would make every entry wait for the previous add: a
  // row of 150 friends is then 150 add latencies long, and that chain, not memory, bounded the
  // daily step. The order is fixed by the row alone, so any thread count gives the same bits.
  static constexpr std::size_t kLanes = 4;

  /// Calls finish(v, sums) for every row v, in parallel, where sums[i] = (W y[i])_v.
  template <std::size_t N, class Finish>
  void products(const std::array<const double*, N>& y, const Finish& finish) const {
    if (weights == nullptr) {
      products_of<false>(y, finish);
    } else {
      products_of<true>(y, finish);
    }
  }

 private:
  // Entries ahead of the one being added whose y values are prefetched. About a quarter of a
  // wechat_like row's sources lie outside the user's community, at random places in y; their
  // loads, not the stream of sources, bound the day. Issuing them this far ahead overlaps them
  // (about 1.5x a day on 1e6 wechat_like users; docs/performance.md); the sums are unchanged.
  static constexpr std::uint64_t kPrefetchDistance = 192;
  // Below this many bytes of gathered values the loads hit cache anyway and the prefetches are
  // only extra instructions: without them a day is 0.73-0.93x as long at 1e5 to 4e5 users
  // (0.8 to 3.2 MB), with them 0.74-0.86x at 8e5 and 1e6 (docs/performance.md, eighth session).
  static constexpr std::size_t kPrefetchFromBytes = std::size_t{4} << 20;

  template <bool kWeighted, bool kPrefetch, std::size_t N>
  std::array<double, N> sums(std::uint64_t begin, std::uint64_t end, std::uint64_t prefetch_end,
                             const std::array<const double*, N>& y) const {
    double lane[N][kLanes] = {};
    const auto add = [&](std::uint64_t at, std::size_t j) {
      if (kPrefetch && at + kPrefetchDistance < prefetch_end) {
        const VertexId ahead = sources[at + kPrefetchDistance];
        for (std::size_t i = 0; i < N; ++i) __builtin_prefetch(y[i] + ahead);
      }
      const VertexId u = sources[at];
      for (std::size_t i = 0; i < N; ++i) {
        if constexpr (kWeighted) {
          lane[i][j] += weights[at] * y[i][u];
        } else {
          lane[i][j] += y[i][u];
        }
      }
    };
    std::uint64_t k = begin;
    for (; k + kLanes <= end; k += kLanes) {
      for (std::size_t j = 0; j < kLanes; ++j) add(k + j, j);
    }
    for (std::size_t j = 0; k < end; ++k, ++j) add(k, j);
    std::array<double, N> total;
    for (std::size_t i = 0; i < N; ++i) total[i] = (lane[i][0] + lane[i][1]) + (lane[i][2] + lane[i][3]);
    return total;
  }

  template <bool kWeighted, std::size_t N, class Finish>
  void products_of(const std::array<const double*, N>& y, const Finish& finish) const {
    if (N * num_rows * sizeof(double) >= kPrefetchFromBytes) {
      products_with<kWeighted, true>(y, finish);
    } else {
      products_with<kWeighted, false>(y, finish);
    }
  }

  template <bool kWeighted, bool kPrefetch, std::size_t N, class Finish>
  void products_with(const std::array<const double*, N>& y, const Finish& finish) const {
    const auto row_total = [&](std::size_t v, std::uint64_t last) {
      std::array<double, N> total;
      if (begin(v) == end(v)) {
        for (std::size_t i = 0; i < N; ++i) total[i] = y[i][v];
        return total;
      }
      total = sums<kWeighted, kPrefetch>(begin(v), end(v), last, y);
      if constexpr (!kWeighted) {
        for (double& t : total) t *= scale[v];
      }
      return total;
    };
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, num_rows, 2048), [&](const tbb::blocked_range<std::size_t>& r) {
      const std::uint64_t last = end(r.end() - 1);
      for (std::size_t v = r.begin(); v < r.end(); ++v) finish(v, row_total(v, last));
    });
  }
};

}  // namespace detail

const Schema<FriedkinJohnsen::Params>& FriedkinJohnsen::schema() {
  static const auto schema = Schema<Params>{}.number(
      "susceptibility", &Params::susceptibility, 0.0, 1.0,
      "λ: weight a user gives to the mean attitude of the users they see each day (1 - λ stays on "
      "their prior attitude); the same for every user. An assumption: no empirical values for this "
      "population (P33).");
  return schema;
}

FriedkinJohnsen::FriedkinJohnsen(const SocialGraph& graph, VertexId num_users, Params params)
    : num_users_(num_users), params_(params) {
  if (num_users > graph.num_vertices()) {
    throw std::invalid_argument(
        fmt::format("friedkin_johnsen: num_users {} exceeds the graph's {} vertices", num_users,
                    graph.num_vertices()));
  }
  if (!is_susceptibility(params.susceptibility)) {
    throw std::invalid_argument(fmt::format(
        "friedkin_johnsen: susceptibility must be in [0, 1] (got {})", params.susceptibility));
  }
  lambda_.assign(num_users, params.susceptibility);
  if (!borrow_rows(graph)) copy_rows(graph);
}

bool FriedkinJohnsen::borrow_rows(const SocialGraph& graph) {
  if (!graph.weights().empty()) return false;
  const CsrView in = graph.in_view();
  const VertexId n = num_users_;
  // Row v is usable as it stands if its user sources are strictly ascending (no repeated arc)
  // and no user follows an institution.
  std::vector<std::uint64_t> ends(n);
  std::vector<double> scale(n);
  std::atomic<bool> usable{true};
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, n, 1024), [&](const auto& range) {
    bool ok = true;
    for (VertexId v = range.begin(); v < range.end() && ok; ++v) {
      const ArcId first = in.offsets[v], last = in.offsets[v + 1];
      ArcId k = first;
      for (; k < last && in.targets[k] < n; ++k) ok = ok && (k == first || in.targets[k - 1] < in.targets[k]);
      ends[v] = k;
      scale[v] = k == first ? 1.0 : 1.0 / static_cast<double>(k - first);
      for (; k < last; ++k) ok = ok && in.targets[k] >= n;
    }
    if (!ok) usable.store(false, std::memory_order_relaxed);
  });
  if (!usable.load()) return false;
  uniform_rows_ = true;
  row_offsets_ = in.offsets;
  row_sources_ = in.targets;
  row_ends_ = std::move(ends);
  row_scale_ = std::move(scale);
  return true;
}

void FriedkinJohnsen::copy_rows(const SocialGraph& graph) {
  const CsrView in = graph.in_view();
  const std::span<const ArcId> in_ids = graph.in_arc_ids();
  const std::vector<float>& weights = graph.weights();
  const VertexId n = num_users_;

  // Pass 1: entries per row; whether every row is uniform (an unweighted graph without repeated
  // arcs, so every entry is 1 / row size). Pass 2 fills the rows in.
  std::vector<std::uint64_t> counts(n, 0);
  std::atomic<bool> bad_weight{false}, unequal_entries{false};
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, n, 1024), [&](const auto& range) {
    std::vector<std::pair<VertexId, double>> row;
    bool bad = false, unequal = false;
    for (VertexId v = range.begin(); v < range.end(); ++v) {
      gather_row(in, in_ids, weights, n, v, row, bad);
      counts[v] = row.size();
      for (const auto& entry : row) unequal = unequal || entry.second != row.front().second;
    }
    if (bad) bad_weight.store(true, std::memory_order_relaxed);
    if (unequal) unequal_entries.store(true, std::memory_order_relaxed);
  });
  if (bad_weight.load()) {
    throw std::invalid_argument(
        "friedkin_johnsen: arc weights between users must be finite and non-negative");
  }
  owned_offsets_.assign(std::size_t{n} + 1, 0);
  std::partial_sum(counts.begin(), counts.end(), owned_offsets_.begin() + 1);
  std::vector<std::uint64_t>().swap(counts);
  const std::uint64_t entries = owned_offsets_[n];

  uniform_rows_ = !unequal_entries.load();
  owned_sources_.resize(entries);
  row_scale_.assign(n, 1.0);
  if (!uniform_rows_) row_weights_.resize(entries);
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, n, 1024), [&](const auto& range) {
    std::vector<std::pair<VertexId, double>> row;
    bool bad = false;
    for (VertexId v = range.begin(); v < range.end(); ++v) {
      gather_row(in, in_ids, weights, n, v, row, bad);
      if (row.empty()) continue;
      std::uint64_t pos = owned_offsets_[v];
      double total = 0.0;
      for (const auto& [u, w] : row) total += w;
      row_scale_[v] = row.front().second / total;
      for (const auto& [u, w] : row) {
        owned_sources_[pos] = u;
        if (!uniform_rows_) row_weights_[pos] = w / total;
        ++pos;
      }
    }
  });
  row_offsets_ = owned_offsets_;
  row_sources_ = owned_sources_;
}

detail::Rows FriedkinJohnsen::rows() const {
  return {num_users_,
          row_offsets_.data(),
          row_ends_.empty() ? row_offsets_.data() + 1 : row_ends_.data(),
          row_sources_.data(),
          uniform_rows_ ? nullptr : row_weights_.data(),
          row_scale_.data()};
}

const FriedkinJohnsen::Matrix& FriedkinJohnsen::influence_matrix() const {
  std::call_once(*w_built_, [this] {
    const VertexId n = num_users_;
    const detail::Rows w = rows();
    std::uint64_t entries = 0;
    for (VertexId v = 0; v < n; ++v) entries += std::max<std::uint64_t>(1, w.end(v) - w.begin(v));
    if (n > static_cast<VertexId>(std::numeric_limits<StorageIndex>::max()) ||
        entries > static_cast<std::uint64_t>(std::numeric_limits<StorageIndex>::max())) {
      throw std::invalid_argument(fmt::format(
          "friedkin_johnsen: {} users and {} influence weights exceed the Eigen matrix's index range "
          "(the daily step has no such limit; only fixed_point and influence_matrix do)",
          n, entries));
    }
    w_.resize(n, n);
    w_.resizeNonZeros(static_cast<Index>(entries));
    StorageIndex* outer = w_.outerIndexPtr();
    StorageIndex* inner = w_.innerIndexPtr();
    double* values = w_.valuePtr();
    StorageIndex at = 0;
    for (VertexId v = 0; v < n; ++v) {
      outer[v] = at;
      if (w.begin(v) == w.end(v)) {
        inner[at] = static_cast<StorageIndex>(v);
        values[at++] = 1.0;
        continue;
      }
      for (std::uint64_t k = w.begin(v); k < w.end(v); ++k) {
        inner[at] = static_cast<StorageIndex>(row_sources_[k]);
        values[at++] = w.weight(v, k);
      }
    }
    outer[n] = at;
  });
  return w_;
}

void FriedkinJohnsen::set_susceptibility(std::vector<double> lambda) {
  if (lambda.size() != num_users_) {
    throw std::invalid_argument(
        fmt::format("friedkin_johnsen: susceptibility needs one value per user ({}), got {}",
                    num_users_, lambda.size()));
  }
  for (std::size_t v = 0; v < lambda.size(); ++v) {
    if (!is_susceptibility(lambda[v])) {
      throw std::invalid_argument(fmt::format(
          "friedkin_johnsen: susceptibility of user {} must be in [0, 1] (got {})", v, lambda[v]));
    }
  }
  lambda_ = std::move(lambda);
}

void FriedkinJohnsen::step(const Eigen::VectorXd& x, const Eigen::VectorXd& anchor,
                           Eigen::VectorXd& out) const {
  const auto n = static_cast<Index>(num_users_);
  if (x.size() != n || anchor.size() != n) {
    throw std::invalid_argument(
        fmt::format("friedkin_johnsen: step needs x and anchor of size {} (got {} and {})", n,
                    x.size(), anchor.size()));
  }
  if (&out == &x) {
    throw std::invalid_argument("friedkin_johnsen: step cannot write into x (double buffer it)");
  }
  out.resize(n);
  const auto size = static_cast<std::size_t>(n);
  step(std::span<const double>(x.data(), size), std::span<const double>(anchor.data(), size),
       std::span<double>(out.data(), size));
}

void FriedkinJohnsen::step(std::span<const double> x, std::span<const double> anchor,
                           std::span<double> out) const {
  const std::size_t n = num_users_;
  if (x.size() != n || anchor.size() != n || out.size() != n) {
    throw std::invalid_argument(fmt::format(
        "friedkin_johnsen: step needs x, anchor and out of size {} (got {}, {} and {})", n,
        x.size(), anchor.size(), out.size()));
  }
  const std::less<const double*> before;
  if (n > 0 && before(out.data(), x.data() + n) && before(x.data(), out.data() + n)) {
    throw std::invalid_argument("friedkin_johnsen: step cannot write into x (double buffer it)");
  }
  const double* lambda = lambda_.data();
  rows().products<1>({x.data()}, [&](std::size_t v, const std::array<double, 1>& social) {
    out[v] = std::clamp(lambda[v] * social[0] + (1.0 - lambda[v]) * anchor[v], -1.0, 1.0);
  });
}

void FriedkinJohnsen::step_with_gap(std::span<const double> x, std::span<const double> anchor,
                                    std::span<const double> gap, std::span<double> out,
                                    std::span<double> out_gap) const {
  const std::size_t n = num_users_;
  if (x.size() != n || anchor.size() != n || gap.size() != n || out.size() != n || out_gap.size() != n) {
    throw std::invalid_argument(fmt::format("friedkin_johnsen: step_with_gap needs vectors of size {}", n));
  }
  const double* lambda = lambda_.data();
  // One pass over W for both vectors: the step is bound by reading W, not by arithmetic.
  rows().products<2>({x.data(), gap.data()}, [&](std::size_t v, const std::array<double, 2>& social) {
    out[v] = std::clamp(lambda[v] * social[0] + (1.0 - lambda[v]) * anchor[v], -1.0, 1.0);
    out_gap[v] = lambda[v] * social[1];
  });
}

void FriedkinJohnsen::step_deviation(std::span<const double> g, double retention, std::span<double> out) const {
  const std::size_t n = num_users_;
  if (g.size() != n || out.size() != n) {
    throw std::invalid_argument(fmt::format(
        "friedkin_johnsen: step_deviation needs g and out of size {} (got {} and {})", n, g.size(), out.size()));
  }
  const std::less<const double*> before;
  if (n > 0 && before(out.data(), g.data() + n) && before(g.data(), out.data() + n)) {
    throw std::invalid_argument("friedkin_johnsen: step_deviation cannot write into g (double buffer it)");
  }
  const double* lambda = lambda_.data();
  rows().products<1>({g.data()}, [&](std::size_t v, const std::array<double, 1>& social) {
    out[v] = retention * (lambda[v] * social[0] + (1.0 - lambda[v]) * g[v]);
  });
}

bool FriedkinJohnsen::every_user_reaches_an_anchored_user() const {
  const VertexId n = num_users_;
  std::vector<char> anchored(n, 0);
  std::deque<VertexId> queue;
  for (VertexId v = 0; v < n; ++v) {
    if (lambda_[v] < 1.0) {
      anchored[v] = 1;
      queue.push_back(v);
    }
  }
  if (queue.size() == n) return true;
  // Column access to W: for each u, the users v with w_vu > 0 (those u influences); every
  // stored entry is positive (gather_row drops zero weights).
  // (A user's own entry, w_vv = 1 for an empty row, reaches nobody new and is left out.)
  const detail::Rows w = rows();
  std::vector<std::uint64_t> col_offsets(std::size_t{n} + 1, 0);
  for (VertexId v = 0; v < n; ++v) {
    for (std::uint64_t k = w.begin(v); k < w.end(v); ++k) ++col_offsets[std::size_t{row_sources_[k]} + 1];
  }
  std::partial_sum(col_offsets.begin(), col_offsets.end(), col_offsets.begin());
  std::vector<VertexId> col_rows(col_offsets[n]);
  std::vector<std::uint64_t> next(col_offsets.begin(), col_offsets.end() - 1);
  for (VertexId v = 0; v < n; ++v) {
    for (std::uint64_t k = w.begin(v); k < w.end(v); ++k) col_rows[next[row_sources_[k]]++] = v;
  }
  std::size_t reached = queue.size();
  while (!queue.empty()) {
    const VertexId u = queue.front();
    queue.pop_front();
    for (std::uint64_t k = col_offsets[u]; k < col_offsets[u + 1]; ++k) {
      const VertexId v = col_rows[k];
      if (!anchored[v]) {
        anchored[v] = 1;
        ++reached;
        queue.push_back(v);
      }
    }
  }
  return reached == n;
}

Eigen::VectorXd FriedkinJohnsen::fixed_point(const Eigen::VectorXd& anchor) const {
  const auto n = static_cast<Index>(num_users_);
  if (anchor.size() != n) {
    throw std::invalid_argument(fmt::format(
        "friedkin_johnsen: fixed_point needs an anchor of size {} (got {})", n, anchor.size()));
  }
  if (!every_user_reaches_an_anchored_user()) {
    throw std::domain_error(
        "friedkin_johnsen: I - ΛW is singular: some user with susceptibility 1 is not influenced, "
        "through any chain of in-neighbours, by a user with susceptibility below 1");
  }
  const Eigen::Map<const Eigen::VectorXd> lambda(lambda_.data(), n);
  const Eigen::VectorXd b = (1.0 - lambda.array()) * anchor.array();
  const double b_norm = b.norm();
  if (b_norm == 0.0) return Eigen::VectorXd::Zero(n);

  Matrix identity(n, n);
  identity.setIdentity();
  const Matrix a = identity - lambda.asDiagonal() * influence_matrix();
  Eigen::BiCGSTAB<Matrix, Eigen::DiagonalPreconditioner<double>> solver;
  solver.setTolerance(kSolverTolerance);
  solver.setMaxIterations(kSolverIterations);
  solver.compute(a);
  Eigen::VectorXd x = anchor;
  double residual = std::numeric_limits<double>::infinity();
  for (int round = 0; round < kSolverRounds; ++round) {
    x = solver.solveWithGuess(b, x);
    residual = (b - a * x).norm() / b_norm;
    if (residual <= kSolverTolerance) break;
  }
  if (!(residual <= kAcceptTolerance)) {
    throw std::runtime_error(
        fmt::format("friedkin_johnsen: BiCGSTAB reached relative residual {:.3g}, above {:.0e}",
                    residual, kAcceptTolerance));
  }
  return x;
}

Eigen::VectorXd degroot_left_eigenvector(const Eigen::SparseMatrix<double, Eigen::RowMajor>& W,
                                         double tolerance, int max_iterations) {
  const Index n = W.rows();
  if (n == 0 || W.cols() != n) {
    throw std::invalid_argument(
        fmt::format("degroot_left_eigenvector: W must be square and non-empty (got {} x {})",
                    W.rows(), W.cols()));
  }
  for (Index v = 0; v < n; ++v) {
    double sum = 0.0;
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(W, v); it; ++it) {
      if (!(it.value() >= 0.0)) {
        throw std::invalid_argument("degroot_left_eigenvector: W has a negative entry");
      }
      sum += it.value();
    }
    if (std::abs(sum - 1.0) > 1e-12) {
      throw std::invalid_argument(
          fmt::format("degroot_left_eigenvector: row {} of W sums to {}, not 1", v, sum));
    }
  }
  Eigen::VectorXd pi = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  Eigen::VectorXd next(n);
  for (int it = 0; it < max_iterations; ++it) {
    next = 0.5 * pi;
    for (Index v = 0; v < n; ++v) {
      const double half = 0.5 * pi[v];
      for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator e(W, v); e; ++e) {
        next[e.col()] += half * e.value();
      }
    }
    next /= next.sum();
    const double change = (next - pi).lpNorm<1>();
    pi.swap(next);
    if (change < tolerance) return pi;
  }
  throw std::runtime_error(fmt::format(
      "degroot_left_eigenvector: no convergence to {:g} in {} iterations (is W irreducible?)",
      tolerance, max_iterations));
}

}  // namespace softpower
