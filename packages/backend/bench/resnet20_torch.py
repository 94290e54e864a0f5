"""PyTorch reference for `pnpm bench:backend`: CIFAR ResNet-20 training images/s on the CPU.

Same model as @sam/models' cifarResNet({depth: 20}): 3x3 convs without bias, BatchNorm, ReLU,
3 stages of 3 basic blocks (16/32/64 channels), 1x1 conv + BN projection shortcut where the
shape changes, global average pooling, dense head; SGD with momentum, softmax cross-entropy.
Usage: python3 resnet20_torch.py <batch> <steps> <threads>. Prints one JSON line.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet20(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.ReLU())
        blocks, cin = [], 16
        for stage, width in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(Block(cin, width, 2 if stage > 0 and b == 0 else 1))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(x.mean(dim=(2, 3)))


def main():
    batch, steps, threads = (int(a) for a in (sys.argv[1:] + ["128", "3", "2"])[:3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = ResNet20()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    dt = min(times)  # best step of N, as the tfjs configurations
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"config": "pytorch", "threads": threads, "batch": batch, "images_per_s": batch / dt,
                      "step_ms": dt * 1000, "torch": torch.__version__, "params": params}))


if __name__ == "__main__":
    main()
