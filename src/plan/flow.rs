//! Exact assignment of demand to open sites with capacities: a transportation problem
//! solved as a min-cost flow by successive shortest paths (Dijkstra with potentials; Ahuja,
//! Magnanti and Orlin 1993, ch. 9), kept optimal while sites are opened one at a time.
//!
//! The network is a circulation through one hub: hub -> demand point (its weight) -> site
//! within reach -> hub (the site's capacity). Leaving a unit unplaced costs U, so placing
//! it on a pair of cost c changes the total by c - U: pair arcs carry c - U (negative), and
//! the least-cost circulation is the best assignment (with U large, the most people placed,
//! then the least distance). The hub's potential is 0 throughout.
//!
//! [`Transport`] holds the optimal flow for the sites open so far and node potentials under
//! which every residual arc has a reduced cost `>= 0` (the certificate of optimality).
//! Opening a site gives it the largest potential that keeps its new arcs valid; if that is
//! negative, some flow wants to use it, so its arc to the hub is saturated (a deficit at the
//! site) and the deficit is routed back from the hub along shortest paths, each found by
//! Dijkstra searching backwards from the site until the hub is settled: through an unplaced
//! person in reach (place them), through a site with users (move one of its people here,
//! possibly in a chain), or straight back (leave the places empty). Potentials are updated
//! the early-termination way (settled nodes by their distance, the rest by the hub's), so a
//! search touches only the few nodes near the site, not every person. When the deficit is
//! gone the flow is optimal again. An undo log returns the state to before an opening, so a
//! candidate is priced by opening it, reading the score and rolling back.
//!
//! Quantities are integers (people, places, or hundredths of an hour) and costs integers
//! (thousandths of the cost unit: metres for km), so the solution is exact and the same on
//! every machine. Ties in the searches are broken by node index.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// For each site, the demand points it may serve, nearest first, with their costs.
#[derive(Debug, Clone, Default)]
pub(crate) struct SiteLists {
    offsets: Vec<usize>,
    person: Vec<u32>,
    cost: Vec<i64>,
}

impl SiteLists {
    /// From one list per site, each (cost, person) ascending.
    pub(crate) fn from_lists(lists: Vec<Vec<(i64, u32)>>) -> SiteLists {
        let mut out = SiteLists {
            offsets: Vec::with_capacity(lists.len() + 1),
            ..SiteLists::default()
        };
        out.offsets.push(0);
        let total = lists.iter().map(Vec::len).sum();
        out.person.reserve_exact(total);
        out.cost.reserve_exact(total);
        for list in lists {
            for (c, i) in list {
                out.cost.push(c);
                out.person.push(i);
            }
            out.offsets.push(out.person.len());
        }
        out
    }

    /// The persons and costs of one site.
    #[inline]
    pub(crate) fn row(&self, site: usize) -> (&[u32], &[i64]) {
        let range = self.offsets[site]..self.offsets[site + 1];
        (&self.person[range.clone()], &self.cost[range])
    }
}

/// One change to a [`Transport`], recorded so it can be undone.
#[derive(Debug, Clone, Copy)]
enum Change {
    Potential(u32, i64),
    Unplaced(u32, i64),
    Through(u32, i64),
    Flow(u32, u32, i64, i64),
    Opened(u32),
}

/// What one unit of placed flow costs and what a person without a place costs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Units<'a> {
    pub lists: &'a SiteLists,
    /// Weight of each person, in units.
    pub weight: &'a [i64],
    /// Places at each site, in units.
    pub capacity: &'a [i64],
    /// U, the cost of a unit left unplaced (thousandths).
    pub unplaced_cost: i64,
}

/// The optimal flow for a set of open sites, with its potentials; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Transport<'a> {
    units: Units<'a>,
    persons: usize,
    open: Vec<bool>,
    /// Persons, then sites; the hub (index persons + sites) is 0 and not stored.
    potential: Vec<i64>,
    unplaced: Vec<i64>,
    /// Flow from each site to the hub (its users, once balanced).
    through: Vec<i64>,
    /// Per person: (site, units, cost), by site.
    placements: Vec<Vec<(u32, i64, i64)>>,
    placed: i64,
    placed_cost: i128,
    everyone: i128,
    log: Option<(Vec<Change>, i64, i128)>,
    search: Search,
}

/// Scratch space for one backward search.
#[derive(Debug, Clone, Default)]
struct Search {
    distance: Vec<i64>,
    /// The next node on the path towards the search's start.
    next: Vec<u32>,
    /// The cost (thousandths) of the pair on that arc.
    arc_cost: Vec<i64>,
    done: Vec<bool>,
    touched: Vec<u32>,
    settled: Vec<u32>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

impl<'a> Transport<'a> {
    /// No site open: everyone unplaced.
    pub(crate) fn new(units: Units<'a>) -> Transport<'a> {
        let persons = units.weight.len();
        let sites = units.capacity.len();
        let nodes = persons + sites + 1;
        Transport {
            units,
            persons,
            open: vec![false; sites],
            potential: vec![0; persons + sites],
            unplaced: units.weight.to_vec(),
            through: vec![0; sites],
            placements: vec![Vec::new(); persons],
            placed: 0,
            placed_cost: 0,
            everyone: units.weight.iter().map(|&w| i128::from(w)).sum(),
            log: None,
            search: Search {
                distance: vec![i64::MAX; nodes],
                next: vec![u32::MAX; nodes],
                arc_cost: vec![0; nodes],
                done: vec![false; nodes],
                ..Search::default()
            },
        }
    }

    /// What the flow minimises: placed cost plus U per unit unplaced (lower is better).
    pub(crate) fn score(&self) -> i128 {
        self.placed_cost
            + (self.everyone - i128::from(self.placed)) * i128::from(self.units.unplaced_cost)
    }

    /// Units placed.
    pub(crate) fn placed(&self) -> i64 {
        self.placed
    }

    /// Units of each person not placed.
    pub(crate) fn unplaced(&self) -> &[i64] {
        &self.unplaced
    }

    /// (person, site, units, cost in thousandths) for every positive flow, by person then
    /// site.
    pub(crate) fn flows(&self) -> impl Iterator<Item = (usize, usize, i64, i64)> + '_ {
        self.placements
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.iter().map(move |&(j, x, c)| (i, j as usize, x, c)))
    }

    /// Starts recording changes, so [`Transport::rollback`] can undo them.
    pub(crate) fn checkpoint(&mut self) {
        self.log = Some((Vec::new(), self.placed, self.placed_cost));
    }

    /// Undoes every change since [`Transport::checkpoint`].
    pub(crate) fn rollback(&mut self) {
        let Some((log, placed, placed_cost)) = self.log.take() else {
            return;
        };
        for change in log.into_iter().rev() {
            match change {
                Change::Potential(v, old) => self.potential[v as usize] = old,
                Change::Unplaced(i, old) => self.unplaced[i as usize] = old,
                Change::Through(j, old) => self.through[j as usize] = old,
                Change::Flow(i, j, delta, cost) => {
                    shift_placement(&mut self.placements[i as usize], j, -delta, cost)
                }
                Change::Opened(j) => self.open[j as usize] = false,
            }
        }
        self.placed = placed;
        self.placed_cost = placed_cost;
    }

    /// The score with `site` opened as well, leaving the state as it was.
    pub(crate) fn price(&mut self, site: usize) -> i128 {
        self.checkpoint();
        self.open_site(site);
        let score = self.score();
        self.rollback();
        score
    }

    fn record(&mut self, change: Change) {
        if let Some((log, _, _)) = &mut self.log {
            log.push(change);
        }
    }

    fn set_potential(&mut self, node: usize, value: i64) {
        self.record(Change::Potential(node as u32, self.potential[node]));
        self.potential[node] = value;
    }

    fn hub(&self) -> usize {
        self.persons + self.open.len()
    }

    /// Opens `site` and restores optimality; a site already open is left alone.
    pub(crate) fn open_site(&mut self, site: usize) {
        if self.open[site] {
            return;
        }
        self.record(Change::Opened(site as u32));
        self.open[site] = true;
        let node = self.persons + site;
        let unplaced_cost = self.units.unplaced_cost;
        let (persons, costs) = self.units.lists.row(site);
        let best = persons
            .iter()
            .zip(costs)
            .map(|(&i, &c)| c - unplaced_cost + self.potential[i as usize])
            .min();
        let capacity = self.units.capacity[site];
        match best {
            Some(m) if m < 0 => {
                self.set_potential(node, m);
                if capacity > 0 {
                    self.record(Change::Through(site as u32, self.through[site]));
                    self.through[site] = capacity;
                    self.route(site, capacity);
                }
            }
            _ => self.set_potential(node, 0),
        }
    }

    /// Routes the deficit at `site` (its hub arc saturated) back from the hub.
    fn route(&mut self, site: usize, mut deficit: i64) {
        while deficit > 0 {
            let Some(length) = self.search_from(site) else {
                break;
            };
            let pushed = self.bottleneck(site, deficit);
            self.augment(site, pushed);
            self.update_potentials(length);
            deficit -= pushed;
        }
    }

    /// Dijkstra on the reverse residual graph from `site` until the hub is settled;
    /// returns the hub's distance (`None` if unreachable).
    fn search_from(&mut self, site: usize) -> Option<i64> {
        let s = &mut self.search;
        for &v in &s.touched {
            s.distance[v as usize] = i64::MAX;
            s.next[v as usize] = u32::MAX;
            s.done[v as usize] = false;
        }
        s.touched.clear();
        s.settled.clear();
        s.heap.clear();
        let hub = self.persons + self.open.len();
        let start = (self.persons + site) as u32;
        s.distance[start as usize] = 0;
        s.touched.push(start);
        s.heap.push(Reverse((0, start)));
        while let Some(Reverse((d, v))) = self.search.heap.pop() {
            let vu = v as usize;
            if self.search.done[vu] || d > self.search.distance[vu] {
                continue;
            }
            if vu == hub {
                return Some(d);
            }
            self.search.done[vu] = true;
            self.search.settled.push(v);
            if vu < self.persons {
                self.expand_person(vu, d);
            } else {
                self.expand_site(vu - self.persons, d);
            }
        }
        None
    }

    #[inline]
    fn relax(search: &mut Search, from: usize, to: u32, length: i64, cost: i64) {
        debug_assert!(length >= 0, "a negative reduced cost");
        let f = from;
        if length < search.distance[f] && !search.done[f] {
            if search.distance[f] == i64::MAX {
                search.touched.push(from as u32);
            }
            search.distance[f] = length;
            search.next[f] = to;
            search.arc_cost[f] = cost;
            search.heap.push(Reverse((length, from as u32)));
        }
    }

    /// Arcs into person `i`: from the hub (if unplaced) and from the sites it uses.
    fn expand_person(&mut self, i: usize, d: i64) {
        let hub = self.hub();
        let p_i = self.potential[i];
        let s = &mut self.search;
        if self.unplaced[i] > 0 {
            Self::relax(s, hub, i as u32, d - p_i, 0);
        }
        for &(j, x, c) in &self.placements[i] {
            if x > 0 {
                let node = self.persons + j as usize;
                let reduced = -(c - self.units.unplaced_cost) + self.potential[node] - p_i;
                Self::relax(s, node, i as u32, d + reduced, c);
            }
        }
    }

    /// Arcs into site `j`: from the hub (if it has users) and from every person in reach.
    fn expand_site(&mut self, j: usize, d: i64) {
        let hub = self.hub();
        let node = self.persons + j;
        let p_j = self.potential[node];
        let s = &mut self.search;
        if self.through[j] > 0 {
            Self::relax(s, hub, node as u32, d - p_j, 0);
        }
        let (persons, costs) = self.units.lists.row(j);
        let unplaced_cost = self.units.unplaced_cost;
        for (&i, &c) in persons.iter().zip(costs) {
            let reduced = c - unplaced_cost + self.potential[i as usize] - p_j;
            Self::relax(s, i as usize, node as u32, d + reduced, c);
        }
    }

    /// The most that can be pushed along the path found from the hub to `site`.
    fn bottleneck(&self, site: usize, deficit: i64) -> i64 {
        let hub = self.hub();
        let mut pushed = deficit;
        let mut u = hub;
        loop {
            let v = self.search.next[u] as usize;
            pushed = pushed.min(match (u == hub, u < self.persons, v < self.persons) {
                (true, _, true) => self.unplaced[v],
                (true, _, false) => self.through[v - self.persons],
                (false, false, true) => self.flow(v, u - self.persons),
                _ => i64::MAX,
            });
            if v == self.persons + site {
                return pushed;
            }
            u = v;
        }
    }

    fn flow(&self, person: usize, site: usize) -> i64 {
        let list = &self.placements[person];
        list.binary_search_by_key(&(site as u32), |e| e.0)
            .map_or(0, |k| list[k].1)
    }

    fn augment(&mut self, site: usize, pushed: i64) {
        let hub = self.hub();
        let mut u = hub;
        loop {
            let v = self.search.next[u] as usize;
            match (u == hub, u < self.persons, v < self.persons) {
                (true, _, true) => {
                    self.record(Change::Unplaced(v as u32, self.unplaced[v]));
                    self.unplaced[v] -= pushed;
                }
                (true, _, false) => {
                    let j = v - self.persons;
                    self.record(Change::Through(j as u32, self.through[j]));
                    self.through[j] -= pushed;
                }
                (false, false, true) => {
                    let cost = self.search.arc_cost[u];
                    self.add_flow(v, u - self.persons, -pushed, cost)
                }
                (false, true, false) => {
                    let cost = self.search.arc_cost[u];
                    self.add_flow(u, v - self.persons, pushed, cost)
                }
                _ => unreachable!("the path alternates persons and sites"),
            }
            if v == self.persons + site {
                return;
            }
            u = v;
        }
    }

    fn add_flow(&mut self, person: usize, site: usize, delta: i64, cost: i64) {
        self.record(Change::Flow(person as u32, site as u32, delta, cost));
        shift_placement(&mut self.placements[person], site as u32, delta, cost);
        self.placed += delta;
        self.placed_cost += i128::from(delta) * i128::from(cost);
    }

    /// Early-termination update: every node settled before the hub moves by (hub's
    /// distance - its distance); the rest keep theirs.
    fn update_potentials(&mut self, length: i64) {
        let settled = std::mem::take(&mut self.search.settled);
        for &v in &settled {
            let v = v as usize;
            let moved = self.potential[v] + length - self.search.distance[v];
            self.set_potential(v, moved);
        }
        self.search.settled = settled;
    }
}

/// Adds `delta` to the flow of one person at `site`, keeping the list by site and free of
/// zero entries.
fn shift_placement(list: &mut Vec<(u32, i64, i64)>, site: u32, delta: i64, cost: i64) {
    match list.binary_search_by_key(&site, |e| e.0) {
        Ok(k) => {
            list[k].1 += delta;
            if list[k].1 == 0 {
                list.remove(k);
            }
        }
        Err(k) => list.insert(k, (site, delta, cost)),
    }
}

#[cfg(test)]
#[derive(Debug, Clone, Copy)]
struct Arc {
    to: usize,
    capacity: i64,
    cost: i64,
}

/// A general flow network in adjacency form, solved from scratch (arc `a ^ 1` is the
/// reverse of arc `a`): the tests' independent twin of [`Transport`] on untruncated pairs.
#[cfg(test)]
pub(crate) struct Network {
    arcs: Vec<Arc>,
    out: Vec<Vec<usize>>,
}

#[cfg(test)]
impl Network {
    pub(crate) fn new(nodes: usize) -> Network {
        Network {
            arcs: Vec::new(),
            out: vec![Vec::new(); nodes],
        }
    }

    /// Adds an arc and returns its index (its flow is the reverse arc's capacity).
    pub(crate) fn add(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> usize {
        let index = self.arcs.len();
        self.arcs.push(Arc { to, capacity, cost });
        self.arcs.push(Arc {
            to: from,
            capacity: 0,
            cost: -cost,
        });
        self.out[from].push(index);
        self.out[to].push(index + 1);
        index
    }

    /// Sends flow from `source` to `sink` along shortest paths for as long as a path has
    /// negative cost: the least-cost flow of any amount. The network with capacity must be
    /// free of cycles at the start (arcs may have negative costs). Returns (flow, cost).
    pub(crate) fn min_cost_flow(&mut self, source: usize, sink: usize) -> (i64, i128) {
        let n = self.out.len();
        let mut potential = self.initial_potentials(source);
        let mut distance = vec![i64::MAX; n];
        let mut via = vec![usize::MAX; n];
        let (mut flow, mut cost) = (0i64, 0i128);
        loop {
            self.shortest_paths(source, &potential, &mut distance, &mut via);
            if distance[sink] == i64::MAX
                || distance[sink] + potential[sink] - potential[source] >= 0
            {
                break;
            }
            for v in 0..n {
                if distance[v] != i64::MAX {
                    potential[v] += distance[v];
                }
            }
            let mut push = i64::MAX;
            let mut v = sink;
            while v != source {
                let a = via[v];
                push = push.min(self.arcs[a].capacity);
                v = self.arcs[a ^ 1].to;
            }
            let mut v = sink;
            while v != source {
                let a = via[v];
                self.arcs[a].capacity -= push;
                self.arcs[a ^ 1].capacity += push;
                cost += i128::from(push) * i128::from(self.arcs[a].cost);
                v = self.arcs[a ^ 1].to;
            }
            flow += push;
        }
        (flow, cost)
    }

    /// Shortest distances from `source` over arcs with capacity (Bellman-Ford; the networks
    /// here are three layers deep, so it settles in a few passes). Unreached nodes get 0.
    fn initial_potentials(&self, source: usize) -> Vec<i64> {
        let n = self.out.len();
        let mut distance = vec![i64::MAX; n];
        distance[source] = 0;
        for _ in 0..n {
            let mut changed = false;
            for u in 0..n {
                if distance[u] == i64::MAX {
                    continue;
                }
                for &a in &self.out[u] {
                    let arc = self.arcs[a];
                    if arc.capacity > 0 && distance[u] + arc.cost < distance[arc.to] {
                        distance[arc.to] = distance[u] + arc.cost;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        distance
            .into_iter()
            .map(|d| if d == i64::MAX { 0 } else { d })
            .collect()
    }

    /// Dijkstra on reduced costs; ties are settled by node index, so paths are the same on
    /// every run.
    fn shortest_paths(
        &self,
        source: usize,
        potential: &[i64],
        distance: &mut [i64],
        via: &mut [usize],
    ) {
        distance.iter_mut().for_each(|d| *d = i64::MAX);
        via.iter_mut().for_each(|v| *v = usize::MAX);
        distance[source] = 0;
        let mut heap = BinaryHeap::new();
        heap.push(Reverse((0i64, source)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > distance[u] {
                continue;
            }
            for &a in &self.out[u] {
                let arc = self.arcs[a];
                if arc.capacity <= 0 {
                    continue;
                }
                let reduced = (arc.cost + potential[u] - potential[arc.to]).max(0);
                let next = d + reduced;
                if next < distance[arc.to] {
                    distance[arc.to] = next;
                    via[arc.to] = a;
                    heap.push(Reverse((next, arc.to)));
                }
            }
        }
    }
}
