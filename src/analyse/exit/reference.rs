//! A brute-force twin of the exit assignment, for tests only: every way of giving each
//! person to a service in reach (or to none) that fits the room, keeping the one that
//! places most people and, of those, travels least. Written from the pairs alone, without
//! the flow.

/// (people placed, least total cost) over every assignment of unit-weight `people`
/// (`reach[i]` = (site, cost) pairs of person i) to sites with room `room`.
pub(crate) fn best(reach: &[Vec<(usize, f64)>], room: &[u32]) -> (usize, f64) {
    fn walk(
        i: usize,
        reach: &[Vec<(usize, f64)>],
        room: &mut Vec<u32>,
        placed: usize,
        cost: f64,
        best: &mut (usize, f64),
    ) {
        if i == reach.len() {
            if placed > best.0 || (placed == best.0 && cost < best.1 - 1e-9) {
                *best = (placed, cost);
            }
            return;
        }
        walk(i + 1, reach, room, placed, cost, best);
        for &(site, c) in &reach[i] {
            if room[site] > 0 {
                room[site] -= 1;
                walk(i + 1, reach, room, placed + 1, cost + c, best);
                room[site] += 1;
            }
        }
    }
    let mut best = (0, 0.0);
    walk(0, reach, &mut room.to_vec(), 0, 0.0, &mut best);
    best
}
