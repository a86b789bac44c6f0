#!/usr/bin/env python3
"""Independent check of gapmap's Rutland drive routes (used to set the expected values in
src/travel/tests.rs).

Input: the highway ways of the Rutland extract with their node coordinates, one JSON object
per line ({"id", "tags", "nodes": [[node_id, lon, lat], ...]}), as written by
`cargo run --release --example dump_osm_ways -- examples/rutland/rutland-2021-05-07.osm.pbf
/tmp/rutland_ways.jsonl`.

It builds its own graph of every road node (no junction compression), applies the car rules
as README.md documents them (class speeds, maxspeed x 0.8, oneway, roundabouts, access), runs
a textbook Dijkstra on time, and prints for each pair the road distance, the time, the
straight-line distance and the names of the roads followed, so the route can be checked by
eye against a map. Lengths are summed segment by segment (haversine, R = 6371008.8 m).
"""
import heapq
import json
import math
import sys

SPEEDS = {"motorway": 90, "motorway_link": 45, "trunk": 85, "trunk_link": 40,
          "primary": 65, "primary_link": 30, "secondary": 55, "secondary_link": 25,
          "tertiary": 40, "tertiary_link": 20, "unclassified": 25, "residential": 25,
          "living_street": 10, "service": 15}
DENIED = {"no", "private", "agricultural", "forestry", "delivery", "permit", "emergency", "military"}
PAIRS = [
    ("Oakham market place", (-0.7277, 52.6705), "Uppingham market place", (-0.7227, 52.5878)),
    ("Upper Hambleton", (-0.6545, 52.6573), "Edith Weston", (-0.6335, 52.6372)),
]


def metres(a, b):
    la1, la2 = math.radians(a[1]), math.radians(b[1])
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(h)))


def speed(tags):
    text = tags.get("maxspeed", "").split(";")[0].strip()
    if text.endswith("mph"):
        try:
            return float(text[:-3]) * 1.609344 * 0.8
        except ValueError:
            pass
    try:
        return float(text) * 0.8
    except ValueError:
        return SPEEDS[tags["highway"]]


def car_way(tags):
    if tags.get("highway") not in SPEEDS or tags.get("area") == "yes":
        return False
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        if key in tags:
            return tags[key] not in DENIED
    return True


def main(path):
    arcs, coords, label, public = {}, {}, {}, set()
    for line in open(path):
        way = json.loads(line)
        tags = way["tags"]
        if not car_way(tags):
            continue
        nodes = way["nodes"]
        oneway = tags.get("oneway")
        forward = oneway in ("yes", "true", "1") or (oneway is None and (tags.get("junction") in ("roundabout", "circular") or tags["highway"] == "motorway"))
        backward = oneway in ("-1", "reverse")
        kmh = speed(tags)
        name = tags.get("ref") or tags.get("name") or tags["highway"]
        if tags["highway"] != "service":
            public.update(n for n, _, _ in nodes)
        for (a, ax, ay), (b, bx, by) in zip(nodes, nodes[1:]):
            coords[a], coords[b] = (ax, ay), (bx, by)
            d = metres((ax, ay), (bx, by))
            t = d / (kmh / 3.6)
            if not backward:
                arcs.setdefault(a, []).append((b, t, d))
            if not forward:
                arcs.setdefault(b, []).append((a, t, d))
            label[(a, b)] = label[(b, a)] = name
    for start_name, start, end_name, end in PAIRS:
        # The nearest node of a road that is not a service road (driveways and car parks
        # can be cut off from the network).
        s = min(public, key=lambda n: metres(coords[n], start))
        e = min(public, key=lambda n: metres(coords[n], end))
        best, prev, heap = {s: (0.0, 0.0)}, {}, [(0.0, 0.0, s)]
        while heap:
            t, d, n = heapq.heappop(heap)
            if (t, d) > best[n]:
                continue
            for m, dt, dd in arcs.get(n, []):
                if (t + dt, d + dd) < best.get(m, (math.inf, math.inf)):
                    best[m] = (t + dt, d + dd)
                    prev[m] = n
                    heapq.heappush(heap, (t + dt, d + dd, m))
        roads, n = [], e
        while n != s:
            road = label[(prev[n], n)]
            if not roads or roads[-1] != road:
                roads.append(road)
            n = prev[n]
        t, d = best[e]
        print(f"{start_name} {coords[s]} -> {end_name} {coords[e]}")
        print(f"  road {d / 1000:.3f} km, {t / 60:.2f} min; straight line {metres(coords[s], coords[e]) / 1000:.3f} km")
        print("  via " + " > ".join(reversed(roads)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rutland_ways.jsonl")
