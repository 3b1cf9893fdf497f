set terminal pngcairo size 800,500
set output 'NVIDIA-H100-80GB-HBM3--driver-NVIDIA-580-159-04--compute-brickmap-1280x720.png'
set title 'compute brickmap, 1280x720'
set logscale x 2
set xlabel 'voxels a side'
set ylabel 'G primary rays/s'
set grid
set key outside right
plot 'NVIDIA-H100-80GB-HBM3--driver-NVIDIA-580-159-04--compute-brickmap-1280x720.dat' index 0 with linespoints title 'cityscape', 'NVIDIA-H100-80GB-HBM3--driver-NVIDIA-580-159-04--compute-brickmap-1280x720.dat' index 1 with linespoints title 'cornell', 'NVIDIA-H100-80GB-HBM3--driver-NVIDIA-580-159-04--compute-brickmap-1280x720.dat' index 2 with linespoints title 'noise', 'NVIDIA-H100-80GB-HBM3--driver-NVIDIA-580-159-04--compute-brickmap-1280x720.dat' index 3 with linespoints title 'tunnels'
