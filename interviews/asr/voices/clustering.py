"""Grouping voice embeddings by speaker, in numpy: spectral clustering into more groups
than there are likely speakers, then merging the groups whose voices are alike.

A speaker's windows seldom form one tight group (other words, other loudness, a cough), so
the eigengap alone, which finds how many tight groups there are, counts too many speakers.
Instead the windows are first split into INITIAL_CLUSTERS groups by spectral clustering
(the graph pruned and tuned as in NME-SC: Park et al. 2019, "Auto-Tuning Spectral
Clustering for Speaker Diarization Using Normalized Maximum Eigengap"); then the two groups
whose mean voices are the most alike are merged, again and again, while they are at least
SAME_SPEAKER_SIMILARITY alike (or until the number of speakers asked for is left).

The graph: the cosine affinity of every pair of windows is pruned to each window's p
closest neighbours (made symmetric), taken from other stretches of speech than its own:
windows of one stretch share audio and words, so they would fill each other's neighbours.
p is chosen where the jump in the graph Laplacian's eigenvalues after the wanted number of
groups, relative to the largest eigenvalue, is largest for the fewest neighbours. k-means
(k-means++ from a fixed seed, so the same recording always gives the same speakers) on the
Laplacian's eigenvectors makes the groups.
"""

from __future__ import annotations

import numpy as np

MIN_SPEAKERS = 2
#: Groups made before merging: the most speakers that can be found.
INITIAL_CLUSTERS = 6
#: Two groups whose mean voices (unit length) have at least this cosine similarity are one
#: speaker's. On the real conversations of bench/speakers.py, two groups of one person's
#: windows measured down to 0.75, two people 0.47-0.71 (and 0.79 on a phone line, where a
#: two-person call still keeps both): a thin margin, see docs/benchmarks.md.
SAME_SPEAKER_SIMILARITY = 0.73
#: A group with fewer windows than this share of all (or than MIN_GROUP_WINDOWS) is too
#: small to be a speaker (a cough, a word alone in a padded window): it joins the group
#: most alike before any other merge.
MIN_GROUP_SHARE = 0.05
MIN_GROUP_WINDOWS = 3
#: The neighbours tried per window: up to this share of all windows...
MAX_NEIGHBOUR_SHARE = 0.25
#: ...in at most this many steps.
NEIGHBOUR_STEPS = 10
KMEANS_SEED = 0
KMEANS_RESTARTS = 10
KMEANS_ITERATIONS = 100


def cosine_affinity(embeddings: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of unit-length embeddings, negatives as 0."""
    return np.clip(embeddings @ embeddings.T, 0.0, 1.0).astype(np.float64)


def neighbour_graph(affinity: np.ndarray, neighbours: int, stretches: np.ndarray) -> np.ndarray:
    """1 between each window and its `neighbours` most similar windows of other stretches
    (of its own when there are too few others), made symmetric (a one-way link counts one
    half). stretches: the stretch number of each window."""
    elsewhere = np.where(stretches[:, None] == stretches[None, :], affinity - 2.0, affinity)
    nearest = np.argsort(-elsewhere, axis=1, kind="stable")[:, :neighbours]
    graph = np.zeros_like(affinity)
    np.put_along_axis(graph, nearest, 1.0, axis=1)
    return (graph + graph.T) / 2


def laplacian(graph: np.ndarray) -> np.ndarray:
    return np.diag(graph.sum(axis=1)) - graph


def relative_eigengap(eigenvalues: np.ndarray, groups: int) -> float:
    """The jump of the sorted eigenvalues after the first `groups`, over the largest."""
    return float((eigenvalues[groups] - eigenvalues[groups - 1]) / max(eigenvalues[-1], 1e-10))


def _neighbour_counts(windows: int) -> list[int]:
    most = max(int(windows * MAX_NEIGHBOUR_SHARE), 2)
    return sorted({int(p) for p in np.rint(np.linspace(2, most, NEIGHBOUR_STEPS))})


def tuned_graph(affinity: np.ndarray, groups: int, stretches: np.ndarray) -> np.ndarray:
    """The neighbour graph whose eigengap after `groups` is the clearest for its number of
    neighbours."""
    best: tuple[float, np.ndarray] | None = None
    for neighbours in _neighbour_counts(len(affinity)):
        graph = neighbour_graph(affinity, neighbours, stretches)
        gap = relative_eigengap(np.linalg.eigvalsh(laplacian(graph)), groups)
        ratio = neighbours / max(gap, 1e-10)
        if best is None or ratio < best[0]:
            best = (ratio, graph)
    assert best is not None
    return best[1]


def _kmeans_plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        distances = np.min([np.sum((points - c) ** 2, axis=1) for c in centres], axis=0)
        total = distances.sum()
        if total <= 0:
            centres.append(points[rng.integers(len(points))])
        else:
            centres.append(points[rng.choice(len(points), p=distances / total)])
    return np.array(centres)


def _lloyd(points: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, float]:
    """Labels and inertia after Lloyd's iterations from the given centres."""
    for _ in range(KMEANS_ITERATIONS):
        distances = np.sum((points[:, None, :] - centres[None, :, :]) ** 2, axis=2)
        labels = np.argmin(distances, axis=1)
        moved = np.array([
            points[labels == c].mean(axis=0) if np.any(labels == c) else centres[c]
            for c in range(len(centres))
        ])
        if np.allclose(moved, centres):
            break
        centres = moved
    distances = np.sum((points[:, None, :] - centres[None, :, :]) ** 2, axis=2)
    return np.argmin(distances, axis=1), float(np.min(distances, axis=1).sum())


def kmeans(points: np.ndarray, k: int) -> np.ndarray:
    """A cluster number (0..k-1) for each point: the best of KMEANS_RESTARTS k-means++
    starts, from a fixed seed."""
    rng = np.random.default_rng(KMEANS_SEED)
    runs = [_lloyd(points, _kmeans_plus_plus(points, k, rng)) for _ in range(KMEANS_RESTARTS)]
    return min(runs, key=lambda run: run[1])[0]


def _mean_voices(embeddings: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    means = np.array([embeddings[group].mean(axis=0) for group in groups])
    return means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)


def _next_merge(groups: list[np.ndarray], similarity: np.ndarray) -> tuple[int, int, bool]:
    """The smallest group and the one most alike, when it is too small to be a speaker
    (True: it must be merged); else the two groups most alike (False)."""
    smallest = min(range(len(groups)), key=lambda n: len(groups[n]))
    windows = sum(len(group) for group in groups)
    if len(groups[smallest]) < max(MIN_GROUP_WINDOWS, MIN_GROUP_SHARE * windows):
        return smallest, int(np.argmax(similarity[smallest])), True
    first, second = np.unravel_index(np.argmax(similarity), similarity.shape)
    return int(first), int(second), False


def merged(embeddings: np.ndarray, labels: np.ndarray, num_speakers: int | None) -> np.ndarray:
    """The groups merged, too small ones first, then the two most alike, down to
    num_speakers, or (None) while they are SAME_SPEAKER_SIMILARITY alike and more than
    MIN_SPEAKERS are left; the result numbered 0, 1, ... in order of each group's first
    window."""
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    fewest = num_speakers or MIN_SPEAKERS
    while len(groups) > fewest:
        similarity = _mean_voices(embeddings, groups) @ _mean_voices(embeddings, groups).T
        np.fill_diagonal(similarity, -np.inf)
        first, second, forced = _next_merge(groups, similarity)
        if (num_speakers is None and not forced
                and similarity[first, second] < SAME_SPEAKER_SIMILARITY):
            break
        groups[first] = np.concatenate([groups[first], groups[second]])
        del groups[second]
    result = np.empty(len(labels), dtype=np.int64)
    for number, group in enumerate(sorted(groups, key=np.min)):
        result[group] = number
    return result


def spectral_clusters(
    embeddings: np.ndarray, num_speakers: int | None, stretches: np.ndarray
) -> np.ndarray:
    """A speaker number for each embedding; num_speakers None finds out how many (from
    MIN_SPEAKERS to INITIAL_CLUSTERS). stretches: the stretch of speech (a number) each
    embedding's window is from."""
    groups = min(max(INITIAL_CLUSTERS, num_speakers or 0), len(embeddings) - 1)
    graph = tuned_graph(cosine_affinity(embeddings), groups, stretches)
    _, vectors = np.linalg.eigh(laplacian(graph))
    return merged(embeddings, kmeans(vectors[:, :groups], groups), num_speakers)
